// The Conductor's entry point (built in the Conductor issue).
