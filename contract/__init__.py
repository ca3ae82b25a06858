"""The floor every other package stands on, importing nothing of ours: what a source file must hold
(`sources`), the batch a reader hands the gate (`batch`), the configuration and where the warehouse is
(`settings`), where the warehouse's other files live (`layout`: published snapshots, frozen months), the file
types a load accepts (`files`) and the accounts that may sign in (`accounts`).

pipelines/ (reading, the gate's orchestration, the build), checks/ (the great-expectations gate) and dashboard/
all import this floor; the dashboard imports nothing else outside itself (tests/test_architecture.py).
"""
