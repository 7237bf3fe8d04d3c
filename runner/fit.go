package runner

// Columns is the width show and show --program fit their code to, at
// 8-column tabs: a presenter's terminal, or a learner's split screen.
const Columns = 80
