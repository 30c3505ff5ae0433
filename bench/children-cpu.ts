// The CPU time of this process's children that have ended and been waited for (user + system,
// in ms), from Linux's /proc/self/stat: a `vitest run` counts there with its workers once it
// exits, since each process adds its waited-for children's time to its own children's total.
// Steadier than wall time on a loaded 2-core machine; 10 ms resolution (clock ticks).
import fs from 'node:fs'

/** Clock ticks per second (`getconf CLK_TCK`): 100 on every Linux Node supports. */
const ticksPerSecond = 100

/** The ended children's CPU so far, or undefined where /proc is not there (not Linux). */
export function endedChildrenCpuMs(): number | undefined {
  let stat: string
  try {
    stat = fs.readFileSync('/proc/self/stat', 'utf8')
  } catch {
    return undefined
  }
  // Fields after the command name (which may hold spaces), "(...)": cutime and cstime are the 16th and 17th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond
}
