import { realmState } from '../base/index.js'

/** Tests running now, and describe blocks whose setup is open: more than one means their work may interleave. */
const state = realmState('live', () => ({ live: 0 }))

/** Counts one more live test or block setup; returns how to stop counting it (once). */
export function countLive(): () => void {
  state.live += 1
  let counted = true
  return () => {
    if (counted) state.live -= 1
    counted = false
  }
}

/** How many tests, and blocks' setups, are live in this process now (more than one under `test.concurrent`). */
export function liveOwners(): number {
  return state.live
}
