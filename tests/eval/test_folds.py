"""Folds of a dev set: every file in exactly one fold, a story's files in the same one."""

from __future__ import annotations

import argparse

import pytest

from flows.cli.checks import fold_arg
from flows.eval.run import fold_of

SOURCES = [{"file": f"a{i:02d}.txt", "duplicate_of": None} for i in range(40)] + [
    {"file": "b01.txt", "duplicate_of": "a07.txt"},
    {"file": "b02.txt", "duplicate_of": "a13.txt"},
    {"file": "a99.txt", "duplicate_of": "a31.txt"},  # the copy sorts after the original
]


@pytest.mark.parametrize("folds", [2, 3, 5])
def test_each_file_is_in_one_fold_and_a_story_stays_whole(folds):
    fold = {s["file"]: fold_of(s["file"], SOURCES, folds) for s in SOURCES}
    assert set(fold.values()) == set(range(folds))  # 43 files spread over every fold
    for s in SOURCES:
        if s["duplicate_of"]:
            assert fold[s["file"]] == fold[s["duplicate_of"]]


def test_fold_argument_is_k_of_n():
    assert fold_arg("2/3") == (2, 3)
    for bad in ("0/2", "3/2", "1/1", "x", "1/"):
        with pytest.raises(argparse.ArgumentTypeError):
            fold_arg(bad)
