/* The CPU training step of the 784-hidden-10 network in C: core/cpu_step.py drives it.
 *
 * MNIST digits are mostly black: about 150 of an image's 784 pixels are non-zero. The two
 * large products, h = x @ W1^T and dW1 = dh^T @ x, only need those: per image a sum of
 * ~150 rows of W1^T (kept transposed, pixels x hidden), per pixel a sum over the images
 * where it is lit. That is a fifth of the dense work, and each pixel's gradient row is
 * finished in registers and applied by RMSprop at once, so it never goes to memory.
 * Skipping exact zeros changes no value: only the order of the additions differs from a
 * dense product, as between any two BLAS libraries.
 *
 * Every function takes raw addresses (tensor.data_ptr()) of contiguous buffers that
 * cpu_step.py owns, and releases the GIL so a UI thread keeps running. cpu_step.py checks
 * each buffer's shape, dtype, layout and device once, when it sets them up; what changes
 * from batch to batch is checked here: gather_batch is told how many images and labels
 * there are and how many slots its pixel lists have, and refuses an index, a label or a
 * batch that would take it outside them, before it writes anything out of place. Every
 * other index the later stages use comes from the gather's own output.
 * The parallel loops use OpenMP; loaded after torch, this library resolves libgomp.so.1
 * to the copy torch loaded, so both share one thread pool (cpu_step.py checks).
 *
 * Vector widths. The arithmetic kernels (the end of this file) are written once for
 * vectors of SIMD_LANES floats and compiled once per width, each for its own instruction
 * set: this file includes itself for each. On x86-64 (GCC) there are three: sse2 (4 lanes,
 * any x86-64), avx2 (8 lanes, AVX2 + FMA) and avx512 (16 lanes, AVX-512F). Each width's
 * vectors are the machine's own registers: a 16-float vector compiled for a 256-bit target
 * goes through the stack, which made the step 15-30x slower on AVX2 machines. Module
 * init picks the widest width the CPU runs; simd() names it and use_simd() picks another
 * (for tests: every width this CPU can run is checked against autograd, not only its own).
 * Elsewhere one generic 4-lane width is built.
 */
#ifndef SIMD_LANES /* the module; the kernels, included once per width, are at the end */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* RMSprop's settings. beta = 1 - alpha comes from Python, worked out in double as torch does:
 * 1.0f - 0.99f would differ from torch's 0.01f in the last bit. */
typedef struct {
    float lr, alpha, beta, eps;
} Rmsprop;

#define CLASSES 10 /* the ten digits; cpu_step.py checks the model agrees */

/* One width's kernels; each is described where the kernels are written (the end of this
 * file). Only scalars and pointers cross: no vector type passes between instruction sets. */
typedef struct {
    const char *name;
    int (*supported)(void); /* whether this CPU (and its OS) runs them */
    void (*forward_image)(const float *w1t, const float *b1, const int32_t *pixel,
                          const float *value, int32_t count, Py_ssize_t hidden, float *hi);
    void (*update_pixel)(float *w, float *v, const int32_t *image, const float *value,
                         int32_t count, const float *dh, Py_ssize_t hidden, Rmsprop r);
    void (*decay_span)(float *v, Py_ssize_t n, float alpha);
    void (*head)(float *h, const float *w2, const float *b2, const int64_t *y, Py_ssize_t n,
                 Py_ssize_t hidden, float *dh, float *gw2, float *gb2, float *gb1,
                 float *loss, int64_t *correct, float *dlogits);
    void (*rmsprop_span)(float *p, const float *g, float *v, Py_ssize_t n, Rmsprop r);
} Simd;

#define SIMD_CAT_(name, width) name##_##width
#define SIMD_CAT(name, width) SIMD_CAT_(name, width)
#define SIMD(name) SIMD_CAT(name, SIMD_NAME) /* name_sse2, name_avx2, ... */
#define SIMD_STRING_(width) #width
#define SIMD_STRING(width) SIMD_STRING_(width)

static int always_supported(void) { return 1; }

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
static int avx2_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
static int avx512_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && avx2_supported();
}

/* Each #include "_cpu_kernels.c" below is this file, by its own name (found beside it). */
#define SIMD_LANES 4 /* x86-64's baseline: SSE2, 16 xmm registers */
#define SIMD_NAME sse2
#define SIMD_SUPPORTED always_supported
#include "_cpu_kernels.c"
#undef SIMD_LANES
#undef SIMD_NAME
#undef SIMD_SUPPORTED

#pragma GCC push_options
#pragma GCC target("avx2,fma") /* 16 ymm registers */
#define SIMD_LANES 8
#define SIMD_NAME avx2
#define SIMD_SUPPORTED avx2_supported
#include "_cpu_kernels.c"
#undef SIMD_LANES
#undef SIMD_NAME
#undef SIMD_SUPPORTED
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma") /* 32 zmm registers */
#define SIMD_LANES 16
#define SIMD_NAME avx512
#define SIMD_SUPPORTED avx512_supported
#include "_cpu_kernels.c"
#undef SIMD_LANES
#undef SIMD_NAME
#undef SIMD_SUPPORTED
#pragma GCC pop_options

/* Widest first: module init takes the first this CPU runs. */
static const Simd *const widths[] = {&simd_avx512, &simd_avx2, &simd_sse2};
#else
#define SIMD_LANES 4 /* GCC's vector extension lowers it to whatever the target has */
#define SIMD_NAME generic
#define SIMD_SUPPORTED always_supported
#include "_cpu_kernels.c"
#undef SIMD_LANES
#undef SIMD_NAME
#undef SIMD_SUPPORTED

static const Simd *const widths[] = {&simd_generic};
#endif
#define WIDTHS ((Py_ssize_t)(sizeof widths / sizeof widths[0]))

/* The width every kernel call uses: set once at module init, or by use_simd(). */
static const Simd *active = NULL;

/* What gather_batch returns instead of a count when its input would take it out of bounds;
 * *bad is then the position in the batch of the image at fault. */
enum { GATHER_BAD_INDEX = -1, GATHER_BAD_LABEL = -2, GATHER_NO_ROOM = -3 };

/* Gather a batch: y[i] = labels[index[i]], and the non-zero pixels of images[index[i]]
 * scaled as ToTensor does (value / 255), listed twice: by image (row_start, row_pixel,
 * row_value) for the forward product, and by pixel (col_start, col_image, col_value) for
 * the gradient. images holds rows x pixels bytes and labels rows labels; row_pixel,
 * row_value, col_image and col_value hold room slots each, which must be one more than the
 * batch has non-zeros (the branch-free loop writes a dark pixel's slot before moving past
 * it). Returns the number of non-zeros, or a GATHER_ code with *bad set. */
static Py_ssize_t gather_batch(const uint8_t *images, Py_ssize_t rows, const int64_t *labels,
                               const int64_t *index, Py_ssize_t n, Py_ssize_t pixels,
                               int64_t *y, int32_t *row_start, int32_t *row_pixel,
                               float *row_value, int32_t *col_start, int32_t *col_image,
                               float *col_value, Py_ssize_t room, Py_ssize_t *bad) {
    /* Every image and label the batch names must exist, and every label index a logit. */
    for (Py_ssize_t i = 0; i < n; i++) {
        if (index[i] < 0 || index[i] >= rows) {
            *bad = i;
            return GATHER_BAD_INDEX;
        }
        if (labels[index[i]] < 0 || labels[index[i]] >= CLASSES) {
            *bad = i;
            return GATHER_BAD_LABEL;
        }
    }
    const Py_ssize_t ahead = 4; /* rows are scattered over the whole split: fetch early */
    for (Py_ssize_t i = 0; i < n && i < ahead; i++)
        for (Py_ssize_t b = 0; b < pixels; b += 64) __builtin_prefetch(images + index[i] * pixels + b);
    memset(col_start, 0, sizeof(int32_t) * (size_t)(pixels + 1));
    int32_t nnz = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i + ahead < n)
            for (Py_ssize_t b = 0; b < pixels; b += 64)
                __builtin_prefetch(images + index[i + ahead] * pixels + b);
        const uint8_t *src = images + index[i] * pixels;
        if ((Py_ssize_t)nnz + pixels >= room) { /* a fully lit image might not fit: count */
            Py_ssize_t lit = 0;
            for (Py_ssize_t p = 0; p < pixels; p++) lit += src[p] != 0;
            if ((Py_ssize_t)nnz + lit >= room) {
                *bad = i;
                return GATHER_NO_ROOM;
            }
        }
        row_start[i] = nnz;
        for (Py_ssize_t p = 0; p < pixels; p++) {
            /* Branch-free: always write, advance only past a lit pixel. A fifth of the
             * pixels are lit, in no pattern a branch predictor could learn. */
            const int lit = src[p] != 0;
            row_pixel[nnz] = (int32_t)p;
            row_value[nnz] = (float)src[p] / 255.0f;
            nnz += lit;
            col_start[p + 1] += lit;
        }
        y[i] = labels[index[i]];
    }
    row_start[n] = nnz;
    for (Py_ssize_t p = 0; p < pixels; p++) col_start[p + 1] += col_start[p];
    /* Fill each pixel's list in image order, advancing a cursor that starts at its slot. */
    int32_t *cursor = col_start; /* after the fill, cursor[p] = end of p = start of p + 1 */
    for (Py_ssize_t i = 0; i < n; i++)
        for (int32_t e = row_start[i]; e < row_start[i + 1]; e++) {
            const int32_t slot = cursor[row_pixel[e]]++;
            col_image[slot] = (int32_t)i;
            col_value[slot] = row_value[e];
        }
    for (Py_ssize_t p = pixels; p > 0; p--) col_start[p] = col_start[p - 1];
    col_start[0] = 0;
    return nnz;
}

static void forward(const float *w1t, const float *b1, const int32_t *row_start,
                    const int32_t *row_pixel, const float *row_value, Py_ssize_t n,
                    Py_ssize_t hidden, float *h, int threads) {
    void (*const forward_image)(const float *, const float *, const int32_t *, const float *,
                                int32_t, Py_ssize_t, float *) = active->forward_image;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (Py_ssize_t i = 0; i < n; i++)
        forward_image(w1t, b1, row_pixel + row_start[i], row_value + row_start[i],
                      row_start[i + 1] - row_start[i], hidden, h + i * hidden);
}

/* RMSprop on W1T with the gradient dh^T @ x; a pixel lit in no image of the batch has a
 * zero gradient row, for which RMSprop leaves the weights alone and decays v. */
static void backward_update(float *w1t, float *v1t, const int32_t *col_start,
                            const int32_t *col_image, const float *col_value, const float *dh,
                            Py_ssize_t pixels, Py_ssize_t hidden, Rmsprop r, int threads) {
    const Simd *const simd = active;
    /* Small chunks of pixels deal the lit ones (the image's centre) out evenly. */
#pragma omp parallel for schedule(static, 8) num_threads(threads) if (threads > 1)
    for (Py_ssize_t p = 0; p < pixels; p++) {
        const int32_t start = col_start[p], count = col_start[p + 1] - start;
        if (count)
            simd->update_pixel(w1t + p * hidden, v1t + p * hidden, col_image + start,
                               col_value + start, count, dh, hidden, r);
        else
            simd->decay_span(v1t + p * hidden, hidden, r.alpha);
    }
}

static void rmsprop_dense(float *p, const float *g, float *v, Py_ssize_t n, Rmsprop r,
                          int threads) {
    void (*const rmsprop_span)(float *, const float *, float *, Py_ssize_t, Rmsprop) =
        active->rmsprop_span;
    const Py_ssize_t block = 4096;
    const Py_ssize_t blocks = (n + block - 1) / block;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && blocks > 1)
    for (Py_ssize_t b = 0; b < blocks; b++) {
        const Py_ssize_t start = b * block;
        const Py_ssize_t len = n - start < block ? n - start : block;
        rmsprop_span(p + start, g + start, v + start, len, r);
    }
}

/* ---- Python bindings: addresses travel as unsigned long long ---- */

#define ADDR(type, value) ((type *)(uintptr_t)(value))

/* ---- Many runs in one step: the members of a sweep that share a data order ----
 * Members read the same batch, so one gather (the pixel lists) serves them all. Each
 * member's step is the single run's step, run on one thread, its own buffers given by one
 * row of a table of addresses: whole members go to the threads of the team, which on a
 * small machine pays better than splitting one member's loops (their barriers, once per
 * stage and batch, cost about what the second core gains). Every member's numbers come
 * out exactly as its single run's: the same kernels in the same order, per image and per
 * pixel, whatever thread runs them. */
enum {
    MEMBER_W1T, MEMBER_B1, MEMBER_W2, MEMBER_B2, MEMBER_V1T, MEMBER_VB1, MEMBER_VW2,
    MEMBER_VB2, MEMBER_H, MEMBER_DH, MEMBER_GB1, MEMBER_GW2, MEMBER_GB2, MEMBER_DLOGITS,
    MEMBER_LOSSES, MEMBER_CORRECTS, MEMBER_FIELDS
};

/* One member's step over the shared pixel lists; its losses and corrects get slot b. */
static void member_step(const uint64_t *a, const float *settings, const int64_t *y,
                        const int32_t *row_start, const int32_t *row_pixel,
                        const float *row_value, const int32_t *col_start,
                        const int32_t *col_image, const float *col_value, Py_ssize_t n,
                        Py_ssize_t pixels, Py_ssize_t hidden, Py_ssize_t b, int threads) {
    const Rmsprop r = {settings[0], settings[1], settings[2], settings[3]};
    float *const h = ADDR(float, a[MEMBER_H]), *const dh = ADDR(float, a[MEMBER_DH]);
    forward(ADDR(const float, a[MEMBER_W1T]), ADDR(const float, a[MEMBER_B1]), row_start,
            row_pixel, row_value, n, hidden, h, threads);
    active->head(h, ADDR(const float, a[MEMBER_W2]), ADDR(const float, a[MEMBER_B2]), y, n,
                 hidden, dh, ADDR(float, a[MEMBER_GW2]), ADDR(float, a[MEMBER_GB2]),
                 ADDR(float, a[MEMBER_GB1]), ADDR(float, a[MEMBER_LOSSES]) + b,
                 ADDR(int64_t, a[MEMBER_CORRECTS]) + b, ADDR(float, a[MEMBER_DLOGITS]));
    backward_update(ADDR(float, a[MEMBER_W1T]), ADDR(float, a[MEMBER_V1T]), col_start,
                    col_image, col_value, dh, pixels, hidden, r, threads);
    rmsprop_dense(ADDR(float, a[MEMBER_B1]), ADDR(const float, a[MEMBER_GB1]),
                  ADDR(float, a[MEMBER_VB1]), hidden, r, 1);
    rmsprop_dense(ADDR(float, a[MEMBER_W2]), ADDR(const float, a[MEMBER_GW2]),
                  ADDR(float, a[MEMBER_VW2]), CLASSES * hidden, r, 1);
    rmsprop_dense(ADDR(float, a[MEMBER_B2]), ADDR(const float, a[MEMBER_GB2]),
                  ADDR(float, a[MEMBER_VB2]), CLASSES, r, 1);
}

/* members_step: every member of the table trains on the gathered batch. With two members
 * or more they are dealt to the threads whole (dynamic: a member that finishes early takes
 * the next); one member alone uses the threads inside its loops, as the single run does. */
static void members_step(const uint64_t *table, const float *settings, Py_ssize_t members,
                         const int64_t *y, const int32_t *row_start, const int32_t *row_pixel,
                         const float *row_value, const int32_t *col_start,
                         const int32_t *col_image, const float *col_value, Py_ssize_t n,
                         Py_ssize_t pixels, Py_ssize_t hidden, Py_ssize_t b, int threads) {
    if (members > 1 && threads > 1) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (Py_ssize_t m = 0; m < members; m++)
            member_step(table + m * MEMBER_FIELDS, settings + m * 4, y, row_start, row_pixel,
                        row_value, col_start, col_image, col_value, n, pixels, hidden, b, 1);
    } else {
        for (Py_ssize_t m = 0; m < members; m++)
            member_step(table + m * MEMBER_FIELDS, settings + m * 4, y, row_start, row_pixel,
                        row_value, col_start, col_image, col_value, n, pixels, hidden, b,
                        threads);
    }
}


/* train_batches: `count` steps of one run in a row, with the GIL released once for all of
 * them. Batch b takes samples b * batch_size .. min((b + 1) * batch_size, samples) of order,
 * for b = first .. first + count - 1, and its loss and hits go to slot b. A step alone is
 * seven calls from Python, and each return from C waits for the GIL: while a UI thread
 * holds it to draw a frame, up to the interpreter's 5 ms switch interval each time, which
 * took about a tenth of the app's training speed on 2 cores. Returns the last batch's
 * non-zeros, or a GATHER_ code with *bad_batch and *bad set (nothing of that batch trained). */
static Py_ssize_t train_batches(const uint64_t *row, const float *settings,
                                const uint8_t *images, Py_ssize_t rows, const int64_t *labels,
                                const int64_t *order, Py_ssize_t samples, Py_ssize_t batch_size,
                                Py_ssize_t first, Py_ssize_t count, int64_t *y,
                                int32_t *row_start, int32_t *row_pixel, float *row_value,
                                int32_t *col_start, int32_t *col_image, float *col_value,
                                Py_ssize_t room, Py_ssize_t pixels, Py_ssize_t hidden,
                                int threads, Py_ssize_t *bad_batch, Py_ssize_t *bad) {
    Py_ssize_t nnz = 0;
    for (Py_ssize_t b = first; b < first + count; b++) {
        const Py_ssize_t start = b * batch_size;
        const Py_ssize_t n = samples - start < batch_size ? samples - start : batch_size;
        nnz = gather_batch(images, rows, labels, order + start, n, pixels, y, row_start,
                           row_pixel, row_value, col_start, col_image, col_value, room, bad);
        if (nnz < 0) {
            *bad_batch = b;
            return nnz;
        }
        member_step(row, settings, y, row_start, row_pixel, row_value, col_start, col_image,
                    col_value, n, pixels, hidden, b, threads);
    }
    return nnz;
}

static PyObject *py_classes(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(CLASSES);
}

/* Sizes a caller passes must be ones the loops can run with; a ValueError names the first
 * that is not. */
static int check_sizes(const char *function, Py_ssize_t n, Py_ssize_t n_min, Py_ssize_t hidden,
                       int threads) {
    if (n < n_min || hidden < 1 || threads < 1) {
        PyErr_Format(PyExc_ValueError,
                     "%s: needs n >= %zd, hidden >= 1 and threads >= 1 (got %zd, %zd, %d)",
                     function, n_min, n, hidden, threads);
        return -1;
    }
    return 0;
}

/* gather_batch's refusal as a ValueError: code is its GATHER_ return, bad the position in
 * the batch (whose sample indices are index) of the image at fault. */
static PyObject *gather_error(Py_ssize_t code, const int64_t *index, Py_ssize_t bad,
                              Py_ssize_t rows, const int64_t *labels, Py_ssize_t room) {
    const int64_t at = index[bad];
    switch (code) {
    case GATHER_BAD_INDEX:
        return PyErr_Format(PyExc_ValueError,
                            "gather_batch: index %lld (batch position %zd) is outside the %zd "
                            "images", (long long)at, bad, rows);
    case GATHER_BAD_LABEL:
        return PyErr_Format(PyExc_ValueError,
                            "gather_batch: image %lld has label %lld, outside 0..%d",
                            (long long)at, (long long)labels[at], CLASSES - 1);
    default:
        return PyErr_Format(PyExc_ValueError,
                            "gather_batch: the batch lights more pixels than its %zd slots "
                            "hold (at batch position %zd)", room, bad);
    }
}

static PyObject *py_gather_batch(PyObject *self, PyObject *args) {
    unsigned long long images, labels, index, y, row_start, row_pixel, row_value, col_start,
        col_image, col_value;
    Py_ssize_t rows, n, pixels, room, nnz, bad = 0;
    if (!PyArg_ParseTuple(args, "KnKKnnKKKKKKKn", &images, &rows, &labels, &index, &n, &pixels,
                          &y, &row_start, &row_pixel, &row_value, &col_start, &col_image,
                          &col_value, &room))
        return NULL;
    if (rows < 0 || n < 0 || pixels < 1 || room < 1 || pixels > INT32_MAX / (n + 1) ||
        room > INT32_MAX) {
        /* The lists count a batch's pixels in int32: n x pixels must fit. */
        PyErr_Format(PyExc_ValueError,
                     "gather_batch: rows %zd, n %zd, pixels %zd or room %zd out of range", rows,
                     n, pixels, room);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    nnz = gather_batch(ADDR(const uint8_t, images), rows, ADDR(const int64_t, labels),
                       ADDR(const int64_t, index), n, pixels, ADDR(int64_t, y),
                       ADDR(int32_t, row_start), ADDR(int32_t, row_pixel),
                       ADDR(float, row_value), ADDR(int32_t, col_start),
                       ADDR(int32_t, col_image), ADDR(float, col_value), room, &bad);
    Py_END_ALLOW_THREADS
    if (nnz < 0)
        return gather_error(nnz, ADDR(const int64_t, index), bad, rows,
                            ADDR(const int64_t, labels), room);
    return PyLong_FromSsize_t(nnz);
}

static PyObject *py_forward(PyObject *self, PyObject *args) {
    unsigned long long w1t, b1, row_start, row_pixel, row_value, h;
    Py_ssize_t n, hidden;
    int threads;
    if (!PyArg_ParseTuple(args, "KKKKKnnKi", &w1t, &b1, &row_start, &row_pixel, &row_value, &n,
                          &hidden, &h, &threads) ||
        check_sizes("forward", n, 0, hidden, threads))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    forward(ADDR(const float, w1t), ADDR(const float, b1), ADDR(const int32_t, row_start),
            ADDR(const int32_t, row_pixel), ADDR(const float, row_value), n, hidden,
            ADDR(float, h), threads);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_backward_update(PyObject *self, PyObject *args) {
    unsigned long long w1t, v1t, col_start, col_image, col_value, dh;
    Py_ssize_t pixels, hidden;
    Rmsprop r;
    int threads;
    if (!PyArg_ParseTuple(args, "KKKKKKnnffffi", &w1t, &v1t, &col_start, &col_image,
                          &col_value, &dh, &pixels, &hidden, &r.lr, &r.alpha, &r.beta, &r.eps,
                          &threads) ||
        check_sizes("backward_update", pixels, 1, hidden, threads))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    backward_update(ADDR(float, w1t), ADDR(float, v1t), ADDR(const int32_t, col_start),
                    ADDR(const int32_t, col_image), ADDR(const float, col_value),
                    ADDR(const float, dh), pixels, hidden, r, threads);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_head(PyObject *self, PyObject *args) {
    unsigned long long h, w2, b2, y, dh, gw2, gb2, gb1, loss, correct, dlogits;
    Py_ssize_t n, hidden;
    if (!PyArg_ParseTuple(args, "KKKKnnKKKKKKK", &h, &w2, &b2, &y, &n, &hidden, &dh, &gw2, &gb2,
                          &gb1, &loss, &correct, &dlogits) ||
        check_sizes("head", n, 1, hidden, 1)) /* the loss is a mean over n >= 1 images */
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    active->head(ADDR(float, h), ADDR(const float, w2), ADDR(const float, b2),
                 ADDR(const int64_t, y), n, hidden, ADDR(float, dh), ADDR(float, gw2),
                 ADDR(float, gb2), ADDR(float, gb1), ADDR(float, loss), ADDR(int64_t, correct),
                 ADDR(float, dlogits));
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_rmsprop(PyObject *self, PyObject *args) {
    unsigned long long p, g, v;
    Py_ssize_t n;
    Rmsprop r;
    int threads;
    if (!PyArg_ParseTuple(args, "KKKnffffi", &p, &g, &v, &n, &r.lr, &r.alpha, &r.beta, &r.eps,
                          &threads) ||
        check_sizes("rmsprop", n, 0, 1, threads))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    rmsprop_dense(ADDR(float, p), ADDR(const float, g), ADDR(float, v), n, r, threads);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_members_step(PyObject *self, PyObject *args) {
    unsigned long long table, settings, y, row_start, row_pixel, row_value, col_start, col_image,
        col_value;
    Py_ssize_t members, n, pixels, hidden, b;
    int threads;
    if (!PyArg_ParseTuple(args, "KKnKKKKKKKnnnni", &table, &settings, &members, &y, &row_start,
                          &row_pixel, &row_value, &col_start, &col_image, &col_value, &n,
                          &pixels, &hidden, &b, &threads) ||
        check_sizes("members_step", n, 1, hidden, threads))
        return NULL;
    if (members < 0 || pixels < 1 || b < 0) {
        PyErr_Format(PyExc_ValueError,
                     "members_step: members %zd, pixels %zd or batch slot %zd out of range",
                     members, pixels, b);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    members_step(ADDR(const uint64_t, table), ADDR(const float, settings), members,
                 ADDR(const int64_t, y), ADDR(const int32_t, row_start),
                 ADDR(const int32_t, row_pixel), ADDR(const float, row_value),
                 ADDR(const int32_t, col_start), ADDR(const int32_t, col_image),
                 ADDR(const float, col_value), n, pixels, hidden, b, threads);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_train_batches(PyObject *self, PyObject *args) {
    unsigned long long row, settings, images, labels, order, y, row_start, row_pixel, row_value,
        col_start, col_image, col_value;
    Py_ssize_t rows, samples, batch_size, first, count, room, pixels, hidden, nnz, bad = 0,
                                                                               bad_batch = 0;
    int threads;
    if (!PyArg_ParseTuple(args, "KKKnKKnnnnKKKKKKKnnni", &row, &settings, &images, &rows,
                          &labels, &order, &samples, &batch_size, &first, &count, &y,
                          &row_start, &row_pixel, &row_value, &col_start, &col_image,
                          &col_value, &room, &pixels, &hidden, &threads) ||
        check_sizes("train_batches", batch_size, 1, hidden, threads))
        return NULL;
    /* Every batch asked for must start inside the order; the gather checks the rest. */
    if (rows < 0 || samples < 1 || first < 0 || count < 1 || pixels < 1 || room < 1 ||
        room > INT32_MAX || pixels > INT32_MAX / (batch_size + 1) ||
        first > (samples - 1) / batch_size - (count - 1)) {
        PyErr_Format(PyExc_ValueError,
                     "train_batches: batches %zd..%zd of %zd samples in batches of %zd, or "
                     "rows %zd, pixels %zd, room %zd, out of range", first, first + count - 1,
                     samples, batch_size, rows, pixels, room);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    nnz = train_batches(ADDR(const uint64_t, row), ADDR(const float, settings),
                        ADDR(const uint8_t, images), rows, ADDR(const int64_t, labels),
                        ADDR(const int64_t, order), samples, batch_size, first, count,
                        ADDR(int64_t, y), ADDR(int32_t, row_start), ADDR(int32_t, row_pixel),
                        ADDR(float, row_value), ADDR(int32_t, col_start),
                        ADDR(int32_t, col_image), ADDR(float, col_value), room, pixels, hidden,
                        threads, &bad_batch, &bad);
    Py_END_ALLOW_THREADS
    if (nnz < 0)
        return gather_error(nnz, ADDR(const int64_t, order) + bad_batch * batch_size, bad, rows,
                            ADDR(const int64_t, labels), room);
    return PyLong_FromSsize_t(nnz);
}

static PyObject *py_member_fields(PyObject *self, PyObject *unused) {
    return PyLong_FromLong(MEMBER_FIELDS);
}

static PyObject *py_simd(PyObject *self, PyObject *unused) {
    return PyUnicode_FromString(active->name);
}

static PyObject *py_simd_widths(PyObject *self, PyObject *unused) {
    PyObject *names = PyList_New(0);
    for (Py_ssize_t i = 0; names && i < WIDTHS; i++) {
        if (!widths[i]->supported()) continue;
        PyObject *name = PyUnicode_FromString(widths[i]->name);
        if (!name || PyList_Append(names, name) < 0) Py_CLEAR(names);
        Py_XDECREF(name);
    }
    return names;
}

/* Not while a kernel runs on another thread: the tests call it between steps. */
static PyObject *py_use_simd(PyObject *self, PyObject *args) {
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    for (Py_ssize_t i = 0; i < WIDTHS; i++) {
        if (strcmp(name, widths[i]->name) != 0) continue;
        if (!widths[i]->supported())
            return PyErr_Format(PyExc_ValueError, "use_simd: this CPU cannot run %s", name);
        active = widths[i];
        Py_RETURN_NONE;
    }
    return PyErr_Format(PyExc_ValueError, "use_simd: no vector width called %s", name);
}

static PyMethodDef methods[] = {
    {"simd", py_simd, METH_NOARGS, "simd() -> the vector width the kernels use: sse2, avx2, ..."},
    {"simd_widths", py_simd_widths, METH_NOARGS,
     "simd_widths() -> the vector widths this CPU runs, widest first"},
    {"use_simd", py_use_simd, METH_VARARGS,
     "use_simd(name): run the kernels at another width this CPU runs (for tests)"},
    {"classes", py_classes, METH_NOARGS, "classes() -> the number of classes head() is built for"},
    {"gather_batch", py_gather_batch, METH_VARARGS,
     "gather_batch(images, rows, labels, index, n, pixels, y, row_start, row_pixel, row_value, "
     "col_start, col_image, col_value, room) -> non-zeros; ValueError for an index outside "
     "0..rows-1, a label outside the classes or more lit pixels than room - 1"},
    {"forward", py_forward, METH_VARARGS,
     "forward(w1t, b1, row_start, row_pixel, row_value, n, hidden, h, threads)"},
    {"head", py_head, METH_VARARGS,
     "head(h, w2, b2, y, n, hidden, dh, gw2, gb2, gb1, loss, correct, dlogits)"},
    {"backward_update", py_backward_update, METH_VARARGS,
     "backward_update(w1t, v1t, col_start, col_image, col_value, dh, pixels, hidden, lr, "
     "alpha, beta, eps, threads)"},
    {"members_step", py_members_step, METH_VARARGS,
     "members_step(table, settings, members, y, row_start, row_pixel, row_value, col_start, "
     "col_image, col_value, n, pixels, hidden, b, threads): each member (a row of table: "
     "member_fields() addresses; of settings: lr, alpha, beta, eps) trains on the batch "
     "gather_batch listed"},
    {"train_batches", py_train_batches, METH_VARARGS,
     "train_batches(row, settings, images, rows, labels, order, samples, batch_size, first, "
     "count, y, row_start, row_pixel, row_value, col_start, col_image, col_value, room, pixels, "
     "hidden, threads) -> the last batch's non-zeros: batches first..first+count-1 of order "
     "trained in a row by the run whose addresses are row (as members_step's table) with the "
     "RMSprop settings (lr, alpha, beta, eps) at settings, the GIL released throughout; "
     "ValueError as gather_batch's"},
    {"member_fields", py_member_fields, METH_NOARGS,
     "member_fields() -> the addresses in one row of members_step's table"},
    {"rmsprop", py_rmsprop, METH_VARARGS,
     "rmsprop(p, g, v, n, lr, alpha, beta, eps, threads), beta = 1 - alpha"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_cpu_kernels",
    .m_doc = "The CPU training step in C, for core.cpu_step (addresses in, GIL released).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__cpu_kernels(void) {
    active = widths[WIDTHS - 1]; /* runs on any CPU of the target */
    for (Py_ssize_t i = 0; i < WIDTHS; i++)
        if (widths[i]->supported()) {
            active = widths[i];
            break;
        }
    return PyModule_Create(&module);
}

#else /* SIMD_LANES is defined: this is the file including itself for one vector width */

/* ---- The arithmetic kernels, once per vector width ----
 * SIMD_LANES floats make one vector: one register of the instruction set in force (the
 * #pragma GCC target around the #include above). aligned(4): loads may be unaligned.
 * Each function's name ends in the width's (forward_image_avx2, ...). Block sizes keep to
 * 16 registers (SSE2's and AVX2's count): at most 12 vectors live in any loop. */
typedef float SIMD(vf) __attribute__((vector_size(4 * SIMD_LANES), aligned(4)));
typedef int32_t SIMD(vi) __attribute__((vector_size(4 * SIMD_LANES), aligned(4)));
#define VF SIMD(vf)
#define VI SIMD(vi)
#define LANES SIMD_LANES
#define LOAD(ptr) (*(const VF *)(ptr))
#define STORE(ptr, value) (*(VF *)(ptr) = (value))
/* ReLU; "h < 0" keeps a NaN a NaN, as torch.relu does, so it reaches the loss */
#define RELU(h) ((VF)((VI)(h) & ~((h) < (VF){0})))
/* value, or 0 where h <= 0: torch's threshold_backward, which lets a NaN h pass the value
 * (a macro: a vector is no type to pass between functions here) */
#define WHERE_POSITIVE(value, h) ((VF)((VI)(value) & ~((h) <= (VF){0})))
#define BLOCK 8 /* vectors of hidden units kept in registers by forward and update */

/* RMSprop as torch.optim.RMSprop computes it (no momentum, centering or decay):
 * v = alpha * v + (1 - alpha) * g^2;  p -= lr * g / (sqrt(v) + eps). */
static void SIMD(rmsprop_span)(float *restrict p, const float *restrict g, float *restrict v,
                               Py_ssize_t n, Rmsprop r) {
    for (Py_ssize_t i = 0; i < n; i++) {
        const float gi = g[i];
        const float vi = v[i] * r.alpha + r.beta * (gi * gi);
        v[i] = vi;
        p[i] = p[i] - r.lr * (gi / (sqrtf(vi) + r.eps));
    }
}

/* A row with no gradient this step: RMSprop leaves p alone and decays v. */
static void SIMD(decay_span)(float *restrict v, Py_ssize_t n, float alpha) {
    for (Py_ssize_t i = 0; i < n; i++) v[i] *= alpha;
}

/* h[i] = b1 + the sum over the lit pixels p of image i of x[i, p] * W1T[p]. */
static void SIMD(forward_image)(const float *restrict w1t, const float *restrict b1,
                                const int32_t *pixel, const float *value, int32_t count,
                                Py_ssize_t hidden, float *restrict hi) {
    Py_ssize_t j = 0;
    for (; j + BLOCK * LANES <= hidden; j += BLOCK * LANES) { /* BLOCK vectors in registers */
        VF acc[BLOCK];
        for (int k = 0; k < BLOCK; k++) acc[k] = LOAD(b1 + j + k * LANES);
        for (int32_t e = 0; e < count; e++) {
            const float *w = w1t + (Py_ssize_t)pixel[e] * hidden + j;
            const float x = value[e];
            for (int k = 0; k < BLOCK; k++) acc[k] += x * LOAD(w + k * LANES);
        }
        for (int k = 0; k < BLOCK; k++) STORE(hi + j + k * LANES, acc[k]);
    }
    for (; j + LANES <= hidden; j += LANES) {
        VF acc = LOAD(b1 + j);
        for (int32_t e = 0; e < count; e++)
            acc += value[e] * LOAD(w1t + (Py_ssize_t)pixel[e] * hidden + j);
        STORE(hi + j, acc);
    }
    for (; j < hidden; j++) {
        float acc = b1[j];
        for (int32_t e = 0; e < count; e++) acc += value[e] * w1t[(Py_ssize_t)pixel[e] * hidden + j];
        hi[j] = acc;
    }
}

/* Pixel p's gradient row, the sum over the images i where it is lit of x[i, p] * dh[i],
 * built BLOCK vectors at a time in registers and handed straight to RMSprop with the same
 * units of W1T[p] and V1T[p]: the gradient never goes to memory. */
static void SIMD(update_pixel)(float *restrict w, float *restrict v, const int32_t *image,
                               const float *value, int32_t count, const float *restrict dh,
                               Py_ssize_t hidden, Rmsprop r) {
    float g[BLOCK * LANES];
    Py_ssize_t j = 0;
    for (; j + BLOCK * LANES <= hidden; j += BLOCK * LANES) {
        VF acc[BLOCK] = {{0}};
        for (int32_t e = 0; e < count; e++) {
            const float *d = dh + (Py_ssize_t)image[e] * hidden + j;
            const float x = value[e];
            for (int k = 0; k < BLOCK; k++) acc[k] += x * LOAD(d + k * LANES);
        }
        for (int k = 0; k < BLOCK; k++) STORE(g + k * LANES, acc[k]);
        SIMD(rmsprop_span)(w + j, g, v + j, BLOCK * LANES, r);
    }
    for (; j + LANES <= hidden; j += LANES) {
        VF acc = {0};
        for (int32_t e = 0; e < count; e++)
            acc += value[e] * LOAD(dh + (Py_ssize_t)image[e] * hidden + j);
        STORE(g, acc);
        SIMD(rmsprop_span)(w + j, g, v + j, LANES, r);
    }
    for (; j < hidden; j++) {
        float grad = 0.0f;
        for (int32_t e = 0; e < count; e++) grad += value[e] * dh[(Py_ssize_t)image[e] * hidden + j];
        SIMD(rmsprop_span)(w + j, &grad, v + j, 1, r);
    }
}

/* Everything between the two large products, forward and backward, for one batch.
 * In: h = x @ W1^T + b1 (n x hidden, before ReLU), W2 (CLASSES x hidden), b2, labels y.
 * Out: h after ReLU, dh = dLoss/d(h before ReLU), the gradients of W2, b2 and b1,
 * the batch's mean cross-entropy in *loss and its number of correct argmaxes in *correct.
 * dlogits holds n x CLASSES floats. The loops run over one vector of hidden units at a time
 * with one accumulator per class, so each value loaded feeds ten multiply-adds. */
static void SIMD(head)(float *restrict h, const float *restrict w2, const float *b2,
                       const int64_t *y, Py_ssize_t n, Py_ssize_t hidden, float *restrict dh,
                       float *restrict gw2, float *restrict gb2, float *restrict gb1,
                       float *loss, int64_t *correct, float *restrict dlogits) {
    const Py_ssize_t blocked = hidden - hidden % LANES;
    double loss_sum = 0.0;
    int64_t right = 0;
    const float inv_n = 1.0f / (float)n;
    for (Py_ssize_t i = 0; i < n; i++) {
        float *hi = h + i * hidden;
        float logits[CLASSES];
        VF acc[CLASSES] = {{0}};
        for (Py_ssize_t j = 0; j < blocked; j += LANES) {
            const VF hv = RELU(LOAD(hi + j));
            STORE(hi + j, hv);
            for (int c = 0; c < CLASSES; c++) acc[c] += hv * LOAD(w2 + c * hidden + j);
        }
        for (Py_ssize_t j = blocked; j < hidden; j++) hi[j] = hi[j] < 0.0f ? 0.0f : hi[j];
        int best = 0;
        for (int c = 0; c < CLASSES; c++) {
            float sum = b2[c];
            for (int l = 0; l < LANES; l++) sum += acc[c][l];
            for (Py_ssize_t j = blocked; j < hidden; j++) sum += hi[j] * w2[c * hidden + j];
            logits[c] = sum;
            /* torch's argmax: the first maximum, and a NaN beats every number */
            if (logits[c] > logits[best] || (isnan(logits[c]) && !isnan(logits[best]))) best = c;
        }
        const float top = logits[best];
        float total = 0.0f;
        for (int c = 0; c < CLASSES; c++) total += expf(logits[c] - top);
        loss_sum += (double)(top + logf(total) - logits[y[i]]);
        right += best == y[i];
        /* d(mean cross-entropy)/d logits = (softmax - one_hot) / n */
        for (int c = 0; c < CLASSES; c++)
            dlogits[i * CLASSES + c] =
                (expf(logits[c] - top) / total - (float)(c == y[i])) * inv_n;
    }
    *loss = (float)(loss_sum / (double)n);
    *correct = right;

    for (int c = 0; c < CLASSES; c++) {
        gb2[c] = 0.0f;
        for (Py_ssize_t i = 0; i < n; i++) gb2[c] += dlogits[i * CLASSES + c];
    }
    /* Two passes over each vector of units, so that neither holds more than 14 vectors:
     * the gradient of W2 (ten accumulators), then dh and b1's gradient (W2's ten vectors). */
    for (Py_ssize_t j = 0; j < blocked; j += LANES) {
        VF g[CLASSES] = {{0}};
        for (Py_ssize_t i = 0; i < n; i++) {
            const VF hv = LOAD(h + i * hidden + j);
            const float *d = dlogits + i * CLASSES;
            for (int c = 0; c < CLASSES; c++) g[c] += d[c] * hv;
        }
        for (int c = 0; c < CLASSES; c++) STORE(gw2 + c * hidden + j, g[c]);
        VF w[CLASSES], bias = {0};
        for (int c = 0; c < CLASSES; c++) w[c] = LOAD(w2 + c * hidden + j);
        for (Py_ssize_t i = 0; i < n; i++) {
            const float *d = dlogits + i * CLASSES;
            VF back = {0};
            for (int c = 0; c < CLASSES; c++) back += d[c] * w[c];
            back = WHERE_POSITIVE(back, LOAD(h + i * hidden + j)); /* ReLU's backward */
            STORE(dh + i * hidden + j, back);
            bias += back;
        }
        STORE(gb1 + j, bias);
    }
    for (Py_ssize_t j = blocked; j < hidden; j++) { /* hidden sizes not a multiple of LANES */
        float bias = 0.0f;
        for (int c = 0; c < CLASSES; c++) gw2[c * hidden + j] = 0.0f;
        for (Py_ssize_t i = 0; i < n; i++) {
            const float hv = h[i * hidden + j];
            const float *d = dlogits + i * CLASSES;
            float back = 0.0f;
            for (int c = 0; c < CLASSES; c++) {
                gw2[c * hidden + j] += d[c] * hv;
                back += d[c] * w2[c * hidden + j];
            }
            back = hv <= 0.0f ? 0.0f : back;
            dh[i * hidden + j] = back;
            bias += back;
        }
        gb1[j] = bias;
    }
}

static const Simd SIMD(simd) = {
    .name = SIMD_STRING(SIMD_NAME),
    .supported = SIMD_SUPPORTED,
    .forward_image = SIMD(forward_image),
    .update_pixel = SIMD(update_pixel),
    .decay_span = SIMD(decay_span),
    .head = SIMD(head),
    .rmsprop_span = SIMD(rmsprop_span),
};

#undef VF
#undef VI
#undef LANES
#undef LOAD
#undef STORE
#undef RELU
#undef WHERE_POSITIVE
#undef BLOCK

#endif /* SIMD_LANES */
