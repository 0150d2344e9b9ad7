"""Every public layer documents itself (Google style) and its example runs."""

import doctest
import importlib
import inspect

import pytest

from netlab import layers

CLASSES = [getattr(layers, n) for n in layers.__all__ if inspect.isclass(getattr(layers, n))]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_docstring_has_sections_and_a_working_example(cls):
    doc = inspect.getdoc(cls)
    for section in ("Args:", "Call arguments:", "Example:"):
        assert section in doc, f"{cls.__name__} lacks {section}"
    module = importlib.import_module(cls.__module__)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(cls, globs=vars(module)) if t.examples]
    assert tests, f"{cls.__name__} has no example"
    for test in tests:
        runner.run(test)
    assert runner.failures == 0
