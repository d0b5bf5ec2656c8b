"""The default race's learning rates are what tuning finds (``explorers.DEFAULT_RACE``).

The table is stored so the book need not search at build time; this recomputes every entry with
:func:`optimlite.explorers.tuned_lr` (500 steps, the grid ``RACE_LRS``), so a change to an
optimizer or a landscape that moves the best learning rate fails here, not silently in a figure.
"""

import pytest

from optimlite import explorers, landscapes

RACE = explorers.DEFAULT_RACE


@pytest.mark.slow
@pytest.mark.parametrize("landscape", list(RACE))
def test_default_race_rates_are_the_tuned_ones(landscape):
    assert landscape in landscapes.LANDSCAPES, f"{landscape} is not a registered landscape"
    table = RACE[landscape]
    assert set(table.values()) <= set(explorers.RACE_LRS), f"{landscape}: rates off the grid"
    land = landscapes.LANDSCAPES[landscape]()
    tuned = {name: explorers.tuned_lr(name, land, steps=500) for name in table}
    differ = {name: (table[name], tuned[name]) for name in table if tuned[name] != table[name]}
    assert not differ, f"{landscape}: (table, tuned_lr) differ for {differ}"
