// Which command a mistyped one most likely meant: the smallest edit distance, when it is small enough to
// be a typo (a third of the word, at least 2); ties keep the first in the list.
export function closestCommand(typed: string, commands: readonly string[]): string | undefined {
  let best: { id: string; d: number } | undefined
  for (const id of commands) {
    const d = editDistance(typed, id)
    if (best === undefined || d < best.d) best = { id, d }
  }
  return best !== undefined && best.d <= Math.max(2, Math.floor(typed.length / 3)) ? best.id : undefined
}

// Levenshtein distance (insert, delete, substitute one character).
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length] ?? 0
}
