"""The tensor lab's computations: inspecting tensors, the lesson's examples, geometry, projections.

Plain functions over NumPy arrays (torch tensors are accepted where noted). Anything sized by the
user is checked (sizes.check_shape: at most MAX_DIMS axes, at most MAX_ELEMENTS or a smaller cap)
before it is allocated; sizes such as the video example's, and the shape rules of broadcasting,
dot and reshape, are computed arithmetically. torch is imported only inside the functions that
need it.

Callers use the package as one namespace (`from core import tensorlab as lab`); the modules are:
sizes (limits and how sizes print), inspector (a tensor's facts), crop (where a slice came from),
lessons (rank, element-wise, broadcasting, dot, reshape, data tensors), geometry (2-D transforms)
and projection (pixels and hidden activations projected to 2-D). The parser of the lab's index
expressions and shapes, index_expr, is imported from its module (`apply_index`, `parse_shape`).
"""

from core.tensorlab.crop import Crop, crop_of, full_key
from core.tensorlab.geometry import (
    AFFINE2_B,
    AFFINE2_W,
    AFFINE_B,
    AFFINE_W,
    ROTATION,
    TRANSFORMS,
    affine,
    compose_affine,
    relu,
    rotation_facts,
    rotation_matrix,
    shape_points,
)
from core.tensorlab.inspector import TensorFacts, inspect_tensor
from core.tensorlab.lessons import (
    DATA_TENSORS,
    Broadcast,
    Comparison,
    best_time,
    broadcast,
    broadcast_maximum,
    broadcast_shape,
    compare,
    compare_dot,
    compare_elementwise,
    dot_order_example,
    dot_rule,
    dot_shape,
    loader_batch,
    naive_add,
    naive_matrix_dot,
    naive_matrix_vector_dot,
    naive_relu,
    naive_vector_dot,
    numpy_shape,
    rank_examples,
    reshape,
    reshape_source,
    tensor_size,
    transpose_shape,
)
from core.tensorlab.projection import centroid_accuracy, pca_2d, project_representations
from core.tensorlab.sizes import (
    MAX_COUNT,
    MAX_DIMS,
    MAX_ELEMENTS,
    MAX_NAIVE,
    TooLarge,
    check_shape,
    check_size,
    format_bytes,
    torch_size,
)

__all__ = [
    "AFFINE2_B",
    "AFFINE2_W",
    "AFFINE_B",
    "AFFINE_W",
    "DATA_TENSORS",
    "MAX_COUNT",
    "MAX_DIMS",
    "MAX_ELEMENTS",
    "MAX_NAIVE",
    "ROTATION",
    "TRANSFORMS",
    "Broadcast",
    "Comparison",
    "Crop",
    "TensorFacts",
    "TooLarge",
    "affine",
    "best_time",
    "broadcast",
    "broadcast_maximum",
    "broadcast_shape",
    "centroid_accuracy",
    "check_shape",
    "check_size",
    "compare",
    "compare_dot",
    "compare_elementwise",
    "compose_affine",
    "crop_of",
    "dot_order_example",
    "dot_rule",
    "dot_shape",
    "format_bytes",
    "full_key",
    "inspect_tensor",
    "loader_batch",
    "naive_add",
    "naive_matrix_dot",
    "naive_matrix_vector_dot",
    "naive_relu",
    "naive_vector_dot",
    "numpy_shape",
    "pca_2d",
    "project_representations",
    "rank_examples",
    "relu",
    "reshape",
    "reshape_source",
    "rotation_facts",
    "rotation_matrix",
    "shape_points",
    "tensor_size",
    "torch_size",
    "transpose_shape",
]
