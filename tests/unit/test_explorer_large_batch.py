"""Chapter 10's explorer: the large-batch recipes with a batch-size slider."""

import pytest

from optimlite import explorers
from optimlite.explorers.static_html import MAX_HTML_BYTES


def small():
    return explorers.batch_size(batches=(512, 1347), names=("LAMB, sqrt", "Adam, sqrt"), epochs=2)


def test_moving_the_slider_changes_the_frame_and_the_caption():
    ex = small()
    first = ex.frame(batch_size=512)
    assert "batch 512:" in ex.caption and "(6 steps)" in ex.caption
    assert ex.frame(batch_size=1347) != first
    assert "(2 steps)" in ex.caption
    assert list(ex.scene.marker.get_xdata()) == [1347, 1347]
    assert ex.errors == []


def test_static_face_fits_the_budget():
    ex = small()
    assert len(ex.to_html().encode()) < MAX_HTML_BYTES
    assert ex.n_frames == 2 and ex.errors == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batches": (0, 32)}, "batches"),
        ({"batches": (64, 32)}, "batches"),
        ({"batches": (32.5,)}, "batches"),
        ({"names": ("SGD",)}, "names"),
        ({"epochs": 0}, "epochs"),
    ],
)
def test_bad_arguments_raise_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        explorers.batch_size(**kwargs)
