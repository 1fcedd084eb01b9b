"""Screen 4: what the trained network learned — confusion, predictions, weights, your own digit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, Header, Static

from core.config import ConfigError, TrainConfig
from core.data import Split
from core.render import downsample, halfblocks
from tui.host import app_host
from tui.messages import CheckpointFailed, Evaluated, ModelOpened
from tui.screens.covered import CoverableScreen
from tui.screens.open_checkpoint import OpenCheckpointScreen
from tui.state import TrainedModel
from tui.widgets.digit_view import whole_scale
from tui.widgets.evaluate.cell_images import CellImages
from tui.widgets.evaluate.confusion_grid import ConfusionGrid
from tui.widgets.evaluate.draw_canvas import DrawCanvas
from tui.widgets.evaluate.prediction_view import PredictionView
from tui.widgets.evaluate.probability_bars import BAR_WIDTH, probability_bars
from tui.widgets.evaluate.weight_grid import WeightGrid
from tui.widgets.fitted_line import FittedLine
from tui.widgets.footer import AppFooter
from tui.workers import reports_failure

if TYPE_CHECKING:  # torch is imported by the evaluation worker, not on the way in
    from core.evaluation import Evaluation
    from core.model import SimpleNN

PANELS = {"c": "panel-confusion", "p": "panel-predictions", "u": "panel-weights", "d": "panel-draw"}
FOCUS_IN = {
    "panel-confusion": ConfusionGrid,
    "panel-predictions": PredictionView,
    "panel-weights": WeightGrid,
    "panel-draw": DrawCanvas,
}


# The drawing's result: the 28-column preview, a gap and bars of at least 12 cells with their
# name and share (BAR_EXTRAS columns) need this much room, else the preview is drawn at half
# size. The canvas grows into what is left once the half-size result has its room.
BAR_EXTRAS = 10
MIN_BAR = 12
DRAW_FULL_WIDTH = 28 + 2 + MIN_BAR + BAR_EXTRAS
RESULT_MIN_WIDTH = len("as MNIST sees it") + 2 + MIN_BAR + BAR_EXTRAS + 2  # and its padding
DRAW_HELP_LINES = 3  # the keys above the canvas, wrapped in the narrowest column
CANVAS_MARGIN = 2  # columns between the canvas and the result
NOTES_MIN_WIDTH = 110  # the notes beside the confusion grid need about 30 columns


class EvaluateScreen(CoverableScreen):
    TITLE = "mnist-tui · Evaluate"
    DEFAULT_CSS = """
    #confusion-top { height: auto; }
    #confusion-notes { width: 1fr; height: auto; padding: 0 0 0 3; }
    """
    BINDINGS = [
        Binding("c", "panel('c')", "Confusion", id="confusion"),
        Binding("p", "panel('p')", "Predictions", id="predictions"),
        Binding("u", "panel('u')", "Weights", id="weights"),
        Binding("d", "panel('d')", "Draw", id="draw"),
        Binding("o", "open", "Open checkpoint", id="open"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model: SimpleNN | None = None
        self.evaluation: Evaluation | None = None
        self.test: Split | None = None  # the split `evaluation` belongs to
        self.drawn_class: int | None = None  # what the network calls the drawing, if any
        self.cell: tuple[int, int] = (0, 0)  # the confusion cell whose images are shown
        self.cell_page = 0
        # The (model, split) the shown or coming evaluation is for; older results are dropped.
        self.evaluated_for: tuple[TrainedModel, Split] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield FittedLine("", id="eval-summary")
        with ContentSwitcher(initial="panel-confusion", id="eval-panels"):
            with Vertical(id="panel-confusion"):
                with Horizontal(id="confusion-top"):
                    yield ConfusionGrid(id="confusion")
                    yield Static("", id="confusion-notes")
                yield FittedLine("", id="cell-title")
                yield CellImages(id="cell-images")
            with Vertical(id="panel-predictions"):
                yield PredictionView(id="predictions")
            with Vertical(id="panel-weights"):
                yield WeightGrid(id="weights")
            with Horizontal(id="panel-draw"):
                with Vertical(id="draw-left"):
                    yield Static(
                        "[b]Draw[/b]: arrows move, space inks, shift+arrows draw, b brush, x clear",
                        id="draw-help",
                    )
                    yield DrawCanvas(id="canvas")
                yield Static("", id="draw-result")
        yield AppFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "dataset", lambda _: self.refresh_model(), init=False)
        self.watch(self.app, "trained", lambda _: self.refresh_model(), init=False)
        path = app_host(self).options.checkpoint
        if path and app_host(self).trained is None:
            self.open_checkpoint(path)
        elif app_host(self).trained is None:  # after a restart: the newest run recorded, if any
            app_host(self).adopt_newest_run()
        self.refresh_model()

    def on_screen_resume(self) -> None:
        self.refresh_model()

    # Model and evaluation ------------------------------------------------------------------

    def refresh_model(self) -> None:
        """Evaluate the app's current model on the current test split, unless already done."""
        trained, dataset = app_host(self).trained, app_host(self).dataset
        summary = self.query_one("#eval-summary", FittedLine)
        if trained is None:
            summary.say(
                "No model yet: train one on screen 3 (press 3, then s), or press o to open a "
                "checkpoint (mnist-tui --checkpoint PATH opens one at start).",
                "No model yet: train one on screen 3 (press 3, then s), or press o to open one.",
                "No model yet: press 3 then s to train one, or o to open a checkpoint.",
            )
            return
        if dataset is None:
            summary.say("Loading the test images…")
            return
        if self.evaluated_for is not None and self.evaluated_for == (trained, dataset.test):
            return
        self.evaluated_for = (trained, dataset.test)
        summary.say("Evaluating on the test split…")
        self.evaluate_in_background(trained, dataset.test)

    @work(thread=True, exclusive=True, group="evaluate", exit_on_error=False)
    @reports_failure("Evaluate")
    def evaluate_in_background(self, trained: TrainedModel, test: Split) -> None:
        from core.evaluation import classify_split, first_layer_weights

        model = trained.model
        # On the model's own device, and without moving it: other screens may be using it.
        device = next(model.parameters()).device
        evaluation = classify_split(model, test.images, test.labels, device=device)
        self.post_message(Evaluated(trained, evaluation, first_layer_weights(model), test))

    @on(Evaluated)
    def evaluated(self, message: Evaluated) -> None:
        if (message.trained, message.test) != self.evaluated_for:
            return  # a newer model or dataset has been asked for since
        self.model, self.evaluation = message.trained.model, message.evaluation
        self.test = test = message.test
        summary = self.summary(message.evaluation, message.trained.source, test)
        self.query_one("#eval-summary", FittedLine).say(*summary)
        self.query_one(ConfusionGrid).show(message.evaluation.confusion, test.classes)
        self.query_one("#confusion-notes", Static).update(self.notes(message.evaluation, test))
        self.query_one(PredictionView).show(message.evaluation, test.images, test.classes)
        self.query_one(WeightGrid).show(message.weights)
        self.show_cell(*self.query_one(ConfusionGrid).cursor)
        self.call_after_refresh(self.update_drawing)  # once the result's width is known

    def summary(self, evaluation: Evaluation, source: str, test: Split) -> tuple[Text, ...]:
        """One line, so the grid and a row of images fit 80x24; per class is in the grid.

        Its wordings, longest first: a long checkpoint name or run leaves out the words first.
        """
        accuracy = (f"{evaluation.accuracy:.2%}", "bold green")
        images = f"{len(test):,} {test.name}"
        return (
            Text.assemble(
                ("Test accuracy ", "bold"), accuracy, f" · {images} test images · {source}"
            ),
            Text.assemble(("Test accuracy ", "bold"), accuracy, f" · {images} · {source}"),
            Text.assemble(("Accuracy ", "bold"), accuracy, f" · {source}"),
        )

    def notes(self, evaluation: Evaluation, test: Split) -> Text:
        """Beside the grid where there is room: what the scores mean, and the worst mix-ups."""
        confusion = evaluation.confusion
        names = test.classes
        text = Text.assemble(
            ("P%", "bold"),
            " precision: of the images\n    called this class, right\n",
            ("R%", "bold"),
            " recall: of this class,\n    found (its accuracy)\n",
            ("F1%", "bold"),
            " their harmonic mean\n\n",
            ("Most confused", "bold"),
        )
        mistakes = confusion.copy()
        np.fill_diagonal(mistakes, 0)
        order = np.argsort(-mistakes, axis=None, kind="stable")[:5]
        for flat in order.tolist():
            true, predicted = divmod(flat, confusion.shape[1])
            count = int(mistakes[true, predicted])
            if count:
                text.append(f"\n  {names[true]} taken for {names[predicted]}: {count:,}")
        return text

    # Panels --------------------------------------------------------------------------------

    def action_panel(self, key: str) -> None:
        panel = PANELS[key]
        self.query_one(ContentSwitcher).current = panel
        self.query_one(FOCUS_IN[panel]).focus()

    @on(ConfusionGrid.CellChosen)
    def cell_chosen(self, message: ConfusionGrid.CellChosen) -> None:
        self.show_cell(message.true, message.predicted)

    @on(ConfusionGrid.Paged)
    def cell_paged(self, message: ConfusionGrid.Paged) -> None:
        self.show_cell(*self.cell, page=self.cell_page + message.step)

    def on_resize(self) -> None:
        self.query_one("#confusion-notes").display = self.size.width >= NOTES_MIN_WIDTH
        self.call_after_refresh(self.fit_canvas)  # once the panels have their new size

    def fit_canvas(self) -> None:
        """The canvas at the largest whole scale that leaves the result its room, as Browse
        enlarges its digit; the drawing's result is laid out again for what is left."""
        room = self.query_one("#eval-panels").content_size
        canvas = self.query_one(DrawCanvas)
        gutter = canvas.styles.gutter
        columns = room.width - RESULT_MIN_WIDTH - CANVAS_MARGIN - gutter.width
        lines = room.height - DRAW_HELP_LINES - gutter.height
        canvas.scale = whole_scale(columns, lines)
        left = 28 * canvas.scale + gutter.width + CANVAS_MARGIN
        self.query_one("#draw-left").styles.width = left
        if self.evaluation is not None:
            self.call_after_refresh(self.update_drawing)

    @on(CellImages.GridChanged)
    def cell_room_changed(self) -> None:
        self.show_cell(*self.cell, page=self.cell_page)

    def show_cell(self, true: int, predicted: int, page: int = 0) -> None:
        """The images of a cell, a page at a time ("images 8-14 of 18"); pages wrap round."""
        test = self.test
        if self.evaluation is None or test is None:
            return
        indices = self.evaluation.cell(true, predicted)
        strip = self.query_one("#cell-images", CellImages)
        per_page = strip.capacity()
        pages = max(1, -(-len(indices) // per_page))
        self.cell, self.cell_page = (true, predicted), page % pages
        first = self.cell_page * per_page
        shown = indices[first : first + per_page]
        title = Text.assemble(
            (f"true {test.classes[true]}, predicted {test.classes[predicted]}: ", "bold"),
            (f"{len(indices):,} image(s)", "bold"),
        )
        wordings = [title]
        if len(indices) > len(shown):
            span = f"{first + 1}-{first + len(shown)} of {len(indices):,}"
            hint = Text("  ] next, [ back", style="dim")
            wordings = [
                Text.assemble(title, f" · images {span}", hint),
                Text.assemble(title, f" · {span}", hint),
                Text.assemble(title, f" · {span}"),
            ]
        self.query_one("#cell-title", FittedLine).say(*wordings)
        if len(shown):
            strip.show([test.images[i] for i in shown], [f"test[{i}]" for i in shown])
        else:
            strip.update("")

    @on(DrawCanvas.Changed)
    def update_drawing(self) -> None:
        self.drawn_class = None
        if self.model is None:
            return
        from core.evaluation import mnist_like, predict

        canvas = self.query_one(DrawCanvas)
        prepared = mnist_like(canvas.pixels)
        result = self.query_one("#draw-result", Static)
        if not prepared.any():
            result.update("Draw a digit on the left: the prediction follows every stroke.")
            return
        probabilities = predict(self.model, prepared)
        predicted = self.drawn_class = int(np.argmax(probabilities))
        classes = self.test.classes if self.test is not None else tuple("0123456789")
        # At 80 columns a full-size preview leaves the bars no room: show it at half size.
        room = result.content_region.width or 60
        half = room < DRAW_FULL_WIDTH
        preview = downsample(prepared, pool="max") if half else prepared
        label = "(half size)" if half else "(20x20, centred by mass)"
        first_column = max(preview.shape[1], len("as MNIST sees it"))
        bar_width = max(5, min(BAR_WIDTH, room - first_column - 2 - BAR_EXTRAS))
        layout = Table.grid(padding=(0, 2))
        layout.add_row(
            Text.assemble("as MNIST sees it\n", (label, "dim")),
            Text.assemble("prediction ", (classes[predicted], "bold green")),
        )
        layout.add_row(
            halfblocks(preview, color=not self.app.no_color),
            probability_bars(probabilities, classes, width=bar_width),
        )
        result.update(layout)

    # Checkpoints ---------------------------------------------------------------------------

    def action_open(self) -> None:
        self.app.push_screen(OpenCheckpointScreen(), self.open_checkpoint)

    def open_checkpoint(self, path: str | None) -> None:
        if path:
            self.load_checkpoint_in_background(path)

    @work(thread=True, exclusive=True, group="checkpoint", exit_on_error=False)
    @reports_failure("Checkpoint")
    def load_checkpoint_in_background(self, path: str) -> None:
        from core.checkpoint import CheckpointError
        from core.evaluation import load_model

        try:
            model, config = load_model(path)
        except CheckpointError as error:
            self.post_message(CheckpointFailed(str(error)))
            return
        name = Path(path).name  # the full path is in the command line or the dialog already
        source = f"{name} (hidden={config['hidden']})"
        trained = TrainedModel(model, source, checkpoint=str(path), config=trained_with(config))
        self.post_message(ModelOpened(trained, f"Opened {source}"))  # the app makes it current

    @on(CheckpointFailed)
    def checkpoint_failed(self, message: CheckpointFailed) -> None:
        self.notify(message.reason, title="Checkpoint", severity="error", timeout=10)


def trained_with(saved: dict) -> TrainConfig | None:
    """The settings a checkpoint was trained with (which data, from which folder), or None
    when this version cannot read them: the network still opens, on the data loaded."""
    try:
        return TrainConfig.from_dict(saved)
    except (ConfigError, TypeError):
        return None
