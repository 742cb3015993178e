package chaos

// notes closes the reliability report: what the table does not show.
const notes = "\n"
