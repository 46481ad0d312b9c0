// The example a folder with no manifest is offered (the Workloads view's welcome, and the error of
// Up with no manifest): a new, unsaved manifest in the editor, commented, for the user to adapt and
// save beside their code. It writes nothing itself.

export const EXAMPLE_MANIFEST = `# An example Skr8tr manifest
# The apps to run, one \`app\` block each. Save it as app.skr8tr beside your code, adapt it,
# then choose Up (right-click the file, or the Up lens above \`app\`).
# Hover a key to read what it does; Ctrl+Space lists the others.
app web
  # The program and its arguments (never run through a shell).
  exec node
  args server.js
  # The app's port: Skr8tr listens on it and forwards to ready replicas, each of which
  # gets its own port in the PORT environment variable (listen on process.env.PORT).
  port 8080
  replicas 2
  # A replica takes traffic once this answers 200; a new version replaces the old one
  # replica by replica, only as fast as the new ones get healthy.
  health GET /health 200
  env
    GREETING hello
`;
