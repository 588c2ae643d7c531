"""Census services, split by sub-entity: the computed census, self-reports, the evaluation, exports."""
