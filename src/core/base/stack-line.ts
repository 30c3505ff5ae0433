/**
 * The line of `file` in an error's stack: where, in a migration or seed a project wrote, the
 * error was thrown (or the call that failed was made), for messages that name it.
 */
export function lineIn(error: unknown, file: string): number | undefined {
  const stack = error instanceof Error ? error.stack : undefined
  if (!stack) return undefined
  for (const line of stack.split('\n')) {
    const at = line.lastIndexOf(file)
    if (at === -1) continue
    // A query Vite or the plugin added to the import (`?sqlite-fixtures-build=1`) sits between the path and its line.
    const position = /^(?:\?[^:\s)]*)?:(\d+)(?::\d+)?/.exec(line.slice(at + file.length))
    if (position) return Number(position[1])
  }
  return undefined
}
