"""The Faust side: the app, its topics and transport, the agents, lag, health, the worker."""
