// The agent's entry point (built in the Conductor issue).
