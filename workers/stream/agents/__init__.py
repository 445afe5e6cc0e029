"""Faust agents: consume, call the enrichment core, publish, count, route failures."""
