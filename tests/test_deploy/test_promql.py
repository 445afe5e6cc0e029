"""The metric-name extractor that the dashboard and alert checks rely on."""

from __future__ import annotations

import pytest

from tests.test_deploy.promql import metric_names


def test_names_inside_functions_and_aggregations_are_found() -> None:
    assert metric_names("histogram_quantile(0.99, sum by (le) (rate(a_bucket[5m])))") == {"a_bucket"}


def test_label_matchers_and_their_strings_are_not_names() -> None:
    assert metric_names('a{job="b", instance=~"c|d", x="}{ e"}') == {"a"}


def test_grouping_label_lists_are_not_names() -> None:
    expr = "sum without (instance) (a) / on (job) group_left (topic) sum(b) by (job) unless ignoring (x) c"
    assert metric_names(expr) == {"a", "b", "c"}


def test_aggregation_with_grouping_before_its_parenthesis_is_not_a_name() -> None:
    assert metric_names("count by (job) (a) + topk without(x) (3, b)") == {"a", "b"}


def test_keywords_numbers_and_durations_are_not_names() -> None:
    assert metric_names("a offset 5m > bool 1e-3 and b @ start() or c[1h30m:1m] * Inf") == {"a", "b", "c"}


def test_grafana_variables_are_not_names() -> None:
    assert metric_names('rate(a{job="$job"}[$__rate_interval]) * ${factor} + $__range_s') == {"a"}


def test_function_arguments_that_are_strings_are_not_names() -> None:
    assert metric_names('label_replace(a, "dst", "$1", "src", "(.*)") or on () vector(0)') == {"a"}


def test_name_given_as_a_matcher_is_found() -> None:
    assert metric_names('{__name__="a", job="b"}') == {"a"}


def test_unclosed_matcher_is_an_error() -> None:
    with pytest.raises(ValueError, match="unbalanced"):
        metric_names('a{job="b"')
