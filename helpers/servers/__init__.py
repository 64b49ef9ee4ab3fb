"""Servers shared by many topics: TCP and UDP echo, a tiny web server, redis-server, your own function."""
