"""Maps as grey images and channel mosaics; the package stays light to import."""

import json
import subprocess
import sys

import numpy as np
import pytest

from netlab.inspect import InspectError, channel_grid, to_image


def test_to_image_scales_min_to_0_and_max_to_255():
    image = to_image([[-2.0, 0.0], [1.0, 2.0]])
    assert image.dtype == np.uint8
    np.testing.assert_array_equal(image, [[0, 128], [191, 255]])


def test_to_image_constant_nan_and_symmetric():
    np.testing.assert_array_equal(to_image(np.full((2, 3), 7.0)), np.zeros((2, 3)))
    np.testing.assert_array_equal(to_image([[np.nan, 1.0]]), [[0, 255]])
    np.testing.assert_array_equal(to_image([[-1.0, 0.0, 0.5]], symmetric=True), [[0, 128, 191]])
    np.testing.assert_array_equal(to_image(np.zeros((1, 2)), symmetric=True), [[128, 128]])
    with pytest.raises(InspectError, match="needs a 2-D array"):
        to_image(np.zeros((2, 2, 2)))


def test_channel_grid_places_each_channel():
    rng = np.random.default_rng(1)
    maps = rng.normal(size=(3, 4, 5))
    grid = channel_grid(maps, columns=3, padding=1)
    assert grid.shape == (2 * 3 + 1, 3 * 4 + 2)
    for c in range(5):
        top, left = (c // 3) * 4, (c % 3) * 5
        np.testing.assert_array_equal(grid[top : top + 3, left : left + 4], to_image(maps[..., c]))
    assert np.all(grid[4:, 10:] == 255)  # the unused sixth tile
    assert np.all(grid[3, :] == 255)  # padding row
    assert channel_grid(maps).shape == (2 * 3 + 1, 3 * 4 + 2)  # ceil(sqrt(5)) = 3 columns
    assert channel_grid(maps, columns=10, padding=0).shape == (3, 20)
    with pytest.raises(InspectError, match=r"maps of shape \(H, W, C\)"):
        channel_grid(np.zeros((3, 4)))
    with pytest.raises(InspectError, match="columns must be >= 1"):
        channel_grid(maps, columns=0)


def test_import_netlab_inspect_loads_no_keras_and_no_qt():
    code = "import json, sys, netlab.inspect; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)  # fmt: skip
    modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert "keras" not in modules
    assert not [m for m in modules if m.split(".")[0] in ("PySide6", "pyqtgraph", "ui")]
