"""Counts read as English: "1 run", "1 poem", "1 vote", never "1 runs"."""

from unpredict_ui.text import count


def test_count_picks_the_noun_for_its_number():
    assert count(1, "round") == "1 round" and count(3, "round") == "3 rounds"
    assert count(1_500, "valid answer") == "1,500 valid answers" and count(0, "vote") == "0 votes"
    assert count(1, "child", "children") == "1 child" and count(2, "child", "children") == "2 children"
