"""What every topic uses: the service lifecycle, its registry, processes, ports, errors, counters, clients."""
