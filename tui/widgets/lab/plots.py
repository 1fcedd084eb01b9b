"""The tensor lab's plotted panels: geometric transforms, and uncrumpling by a trained model."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from core import tensorlab as lab
from core.data import Split
from tui.host import app_host
from tui.messages import ProjectionDone
from tui.state import TrainedModel
from tui.widgets.lab.lessons import guarded

# Ten colours far apart, as RGB so that the theme cannot fold two of them into one ANSI colour,
# as it did red, magenta and bright red. One set per kind of background: each colour keeps at
# least 3:1 contrast against the plots' background (the theme's surface) in every built-in theme
# of that kind; Tableau's ten, brightened, on dark, and deepened on light, where the brightened
# yellow and grey all but vanished. Colour is only a help: each point is drawn as its class's
# digit, so the plots read without it.
ON_DARK = (
    (106, 159, 224),  # blue
    (242, 142, 43),  # orange
    (255, 107, 107),  # red
    (95, 201, 191),  # teal
    (108, 195, 94),  # green
    (237, 201, 72),  # yellow
    (197, 139, 214),  # purple
    (255, 157, 167),  # pink
    (196, 154, 124),  # tan
    (240, 240, 240),  # white
)
ON_LIGHT = (
    (31, 78, 156),  # blue
    (179, 83, 0),  # orange
    (192, 38, 43),  # red
    (0, 117, 106),  # teal
    (46, 107, 31),  # green
    (122, 101, 0),  # olive
    (123, 63, 160),  # purple
    (194, 24, 91),  # magenta
    (138, 90, 60),  # brown
    (32, 32, 32),  # black
)
ORIGINAL_MARKER, MOVED_MARKER = "•", "x"  # the geometry plot's two point sets, told apart in mono

PAPER_BALL = (
    "Two sheets of paper, one per class, crushed into one ball: that is how the classes sit "
    "among the pixels. Each layer is a geometric transformation that unfolds the ball a little; "
    "training looks for those that leave the classes apart. Left: test images by their pixels; "
    "right: by the hidden layer (both cut to 2-D by PCA)."
)


def class_glyph(label: int) -> str:
    """The character a class's points are drawn with: its digit (class index)."""
    return str(int(label) % 10)


def class_colors(dark: bool) -> tuple[tuple[int, int, int], ...]:
    """The ten class colours for a dark background, or for a light one."""
    return ON_DARK if dark else ON_LIGHT


def class_color(label: int, dark: bool = True) -> tuple[int, int, int]:
    colors = class_colors(dark)
    return colors[int(label) % len(colors)]


def rich_color(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def legend(classes: tuple[str, ...], color: bool = True, dark: bool = True) -> Text:
    """One entry per class, `■ glyph name` in its colour; the glyph alone identifies it in mono.

    Without colour the square would say nothing: each entry is its glyph (and name) in bold.
    """
    text = Text.assemble(("classes: ", "dim"))
    for label, name in enumerate(classes):
        entry = class_glyph(label) if name == class_glyph(label) else f"{class_glyph(label)} {name}"
        if color:
            text.append(f"■ {entry}", style=f"bold {rich_color(class_color(label, dark))}")
        else:
            text.append(entry, style="bold")
        text.append("  ")
    return text


class GeometryPanel(Vertical):
    """A small point set before and after the chosen transform, with the notebook's numbers."""

    DEFAULT_CSS = """
    GeometryPanel { padding: 0 1; }
    GeometryPanel #geometry-row { height: 1fr; }
    GeometryPanel #transforms { width: 16; height: 1fr; }
    GeometryPanel #geometry-facts { height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="geometry-row"):
            yield OptionList(*lab.TRANSFORMS, id="transforms", compact=True)
            yield PlotextPlot(id="geometry-plot")
        yield Static(id="geometry-facts")

    def on_mount(self) -> None:
        self.query_one("#transforms", OptionList).highlighted = 0
        self.draw(next(iter(lab.TRANSFORMS)))

    @on(OptionList.OptionHighlighted, "#transforms")
    def chosen(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.draw(str(event.option.prompt))

    @on(OptionList.OptionSelected, "#transforms")
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()  # Enter on a transform must not bubble up to the screen's panel list

    def draw(self, name: str) -> None:
        """Plot the transform; below it its facts, or, if anything failed, why."""
        self.query_one("#geometry-facts", Static).update(guarded(self.plot, name))

    def plot(self, name: str) -> Text:
        formula, transform = lab.TRANSFORMS[name]
        points = lab.shape_points()
        moved = transform(points)
        plot = self.query_one("#geometry-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.scatter(
            points[:, 0].tolist(),
            points[:, 1].tolist(),
            label="p",
            color="gray",
            marker=ORIGINAL_MARKER,
        )
        plt.scatter(
            moved[:, 0].tolist(),
            moved[:, 1].tolist(),
            label=formula,
            color="green",
            marker=MOVED_MARKER,
        )
        everything = np.concatenate([points, moved])
        low, high = float(everything.min()) - 0.5, float(everything.max()) + 0.5
        plt.xlim(low, high)
        plt.ylim(low, high)
        plt.title(f"{name}: {formula}")
        plot.refresh()
        return self.facts(name)

    def facts(self, name: str) -> Text:
        lines = [f"rotation = {lab.ROTATION.tolist()},  x = [2, 0]:"]
        facts = [f"{label} = {value.tolist()}" for label, value in lab.rotation_facts()]
        lines += ["   ".join(facts[:2]), facts[2] + "  (broadcasting: not a rotation)"]
        if name == "two affines":
            w, b = lab.compose_affine(lab.AFFINE_W, lab.AFFINE_B, lab.AFFINE2_W, lab.AFFINE2_B)
            points = lab.shape_points()
            gap = np.abs(lab.TRANSFORMS[name][1](points) - lab.affine(points, w, b)).max()
            lines.append(
                f"without an activation they are one affine map: W2·W = {w.tolist()}, "
                f"W2·b + b2 = {b.tolist()} (largest difference {gap:.1g})"
            )
        elif name == "affine + relu":
            lines.append("relu folds every negative coordinate onto the axes: no longer affine")
        return Text("\n".join(lines))


class UncrumplePanel(Vertical):
    """Test images in 2-D: by their pixels, and by the trained model's hidden layer."""

    DEFAULT_CSS = """
    UncrumplePanel { padding: 0 1; }
    UncrumplePanel #uncrumple-paper { height: auto; color: $text-muted; }
    UncrumplePanel #uncrumple-status, UncrumplePanel #uncrumple-legend { height: auto; }
    UncrumplePanel #uncrumple-row { height: 1fr; min-height: 8; }
    """
    BINDINGS = [Binding("r", "project", "Project again", id="project")]
    can_focus = True  # so that `r` reaches it from the panel list's Enter

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.projected_for: TrainedModel | None = None  # the model the plots show
        # The projection on show, kept so that a change of theme redraws it in its colours.
        self.projection: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def compose(self) -> ComposeResult:
        yield Static(PAPER_BALL, id="uncrumple-paper")
        yield Static(id="uncrumple-status")
        yield Static(id="uncrumple-legend")
        with Horizontal(id="uncrumple-row"):
            yield PlotextPlot(id="pixels-plot")
            yield PlotextPlot(id="hidden-plot")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _: self.theme_changed())
        self.refresh_projection()

    @property
    def dark(self) -> bool:
        """Whether the plots' background is dark: it picks the class colours."""
        return self.app.current_theme.dark

    def theme_changed(self) -> None:
        """Redraw the legend and the points in the colours that read on the new background."""
        self.refresh_projection()  # the legend; a projection if the model changed meanwhile
        trained = self.projected_for
        if trained is not None and trained is app_host(self).trained and self.projection:
            self.show(trained, *self.projection)

    def refresh_projection(self) -> None:
        """Project when a model is there that the plots do not show yet."""
        trained = app_host(self).trained
        status = self.query_one("#uncrumple-status", Static)
        row = self.query_one("#uncrumple-row")
        legend_line = self.query_one("#uncrumple-legend", Static)
        dataset = app_host(self).dataset
        if trained is None or dataset is None:
            status.update("Train a model on screen 3 first: its hidden layer is what uncrumples.")
            row.display = legend_line.display = False
            return
        row.display = legend_line.display = True
        legend_line.update(legend(dataset.test.classes, not self.app.no_color, self.dark))
        if trained is not self.projected_for:
            self.action_project()

    def action_project(self) -> None:
        trained, dataset = app_host(self).trained, app_host(self).dataset
        if trained is None or dataset is None:
            return
        self.query_one("#uncrumple-status", Static).update("Projecting 1,000 test images…")
        self.project(trained, dataset.test)

    @on(Worker.StateChanged)
    def projection_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.query_one("#uncrumple-status", Static).update(
                Text(f"Projection failed: {event.worker.error}", style="bold red")
            )

    @work(thread=True, exclusive=True, exit_on_error=False, group="projection")
    def project(self, trained: TrainedModel, test: Split) -> None:
        model = trained.model
        pixels, hidden, labels = lab.project_representations(model, test.images, test.labels)
        self.post_message(ProjectionDone(trained, pixels, hidden, labels))

    @on(ProjectionDone)
    def projection_done(self, message: ProjectionDone) -> None:
        self.show(message.trained, message.pixels, message.hidden, message.labels)

    def show(
        self, trained: TrainedModel, pixels: np.ndarray, hidden: np.ndarray, labels: np.ndarray
    ) -> None:
        self.projected_for, self.projection = trained, (pixels, hidden, labels)
        model = trained.model
        scores = []
        for plot_id, points, title in (
            ("#pixels-plot", pixels, "pixels (784-D)"),
            ("#hidden-plot", hidden, f"hidden layer ({model.fc1.out_features}-D)"),
        ):
            score = lab.centroid_accuracy(points, labels)
            scores.append(score)
            plot = self.query_one(plot_id, PlotextPlot)
            plt = plot.plt
            plt.clear_data()
            plt.clear_figure()
            for label in np.unique(labels):
                mine = points[labels == label]
                plt.scatter(
                    mine[:, 0].tolist(),
                    mine[:, 1].tolist(),
                    # Without colour, greys of ten colours would only make some digits faint.
                    color="default" if self.app.no_color else class_color(label, self.dark),
                    marker=class_glyph(label),
                )
            plt.title(f"{title}, PCA: centroids {score:.0%}")
            plot.refresh()
        self.query_one("#uncrumple-status", Static).update(
            f"{len(labels):,} test images, two principal components each, drawn as their "
            "class's digit. "
            f"Nearest class centroid in 2-D: pixels {scores[0]:.0%}, hidden {scores[1]:.0%}."
        )
