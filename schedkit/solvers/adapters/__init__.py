"""Adapters: translate between an Instance and one backend, nothing else."""
