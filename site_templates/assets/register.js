// Filled in by the register issue.
