"""The application side of the workflow engine: stored state, history, firing, the scheduler.

Glossary
- *workflow-driven row*: a table row whose ``state`` (a workflow state's stable string value) and
  ``version`` are changed only by :func:`grants.workflow.operations.fire`.
- *history*: one ``state_history`` row per transition (who, when, from, to, why), written in the
  same transaction as the change; append-only.
- *effect*: a named operation a transition asks for (``admit_organisation``...); handlers register
  with :func:`grants.workflow.operations.effect` and run inside the same transaction.
- *scheduler*: ``flask --app grants scheduler`` runs APScheduler in its own process; its one
  periodic job fires every timed transition that is due, through the same ``fire``.
"""
