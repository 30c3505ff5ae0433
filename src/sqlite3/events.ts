import { AsyncResource } from 'node:async_hooks'
import type { EventEmitter } from 'node:events'
import type { TestScope } from '../core/lifecycle/index.js'

type Listener = (...args: unknown[]) => unknown

/**
 * The events of a test's node-sqlite3 object (a connection or a statement: `trace`,
 * `profile`, `change`, `error`, `open`, `close`), listened to on the driver's own object.
 * A listener runs in the context it was added in, with `this` the test's object; events the
 * driver emits after the test ended reach no listener: the plugin's own `close` at the test's
 * end, say, which no app's `close()` made (the app's database object stays open for it).
 */
export class ForwardedEvents {
  readonly #source: EventEmitter
  readonly #scope: TestScope
  readonly #self: object
  /** The listener added to the driver's object for each one given, by event. */
  readonly #added = new Map<string | symbol, Map<Listener, Listener>>()

  constructor(source: EventEmitter, scope: TestScope, self: object) {
    this.#source = source
    this.#scope = scope
    this.#self = self
  }

  #wrap(type: string | symbol, listener: Listener, once: boolean): Listener {
    const resource = new AsyncResource('sqlite-fixtures.sqlite3')
    const scope = this.#scope
    const self = this.#self
    const forget = () => this.#added.get(type)?.delete(listener)
    const wrapped = (...args: unknown[]) => {
      if (once) forget()
      if (scope.ended) return undefined
      return resource.runInAsyncScope(listener, self, ...args)
    }
    let byListener = this.#added.get(type)
    if (!byListener) this.#added.set(type, (byListener = new Map()))
    byListener.set(listener, wrapped)
    return wrapped
  }

  on(type: string | symbol, listener: Listener): void {
    this.#source.on(type, this.#wrap(type, listener, false))
  }

  once(type: string | symbol, listener: Listener): void {
    this.#source.once(type, this.#wrap(type, listener, true))
  }

  off(type: string | symbol, listener: Listener): void {
    const wrapped = this.#added.get(type)?.get(listener)
    if (!wrapped) return
    this.#added.get(type)?.delete(listener)
    this.#source.removeListener(type, wrapped)
  }

  removeAll(type?: string | symbol): void {
    for (const [event, byListener] of this.#added) {
      if (type !== undefined && event !== type) continue
      for (const wrapped of byListener.values()) this.#source.removeListener(event, wrapped)
      byListener.clear()
    }
  }

  listeners(type: string | symbol): Listener[] {
    return [...(this.#added.get(type)?.keys() ?? [])]
  }

  emit(type: string | symbol, args: unknown[]): boolean {
    return this.#source.emit(type, ...args)
  }
}

/** The EventEmitter methods of a test's node-sqlite3 object, over its forwarded events. */
export abstract class Emitting {
  protected abstract get events(): ForwardedEvents

  on(type: string | symbol, listener: Listener): this {
    this.events.on(type, listener)
    return this
  }

  addListener(type: string | symbol, listener: Listener): this {
    return this.on(type, listener)
  }

  once(type: string | symbol, listener: Listener): this {
    this.events.once(type, listener)
    return this
  }

  off(type: string | symbol, listener: Listener): this {
    this.events.off(type, listener)
    return this
  }

  removeListener(type: string | symbol, listener: Listener): this {
    return this.off(type, listener)
  }

  removeAllListeners(type?: string | symbol): this {
    this.events.removeAll(type)
    return this
  }

  listeners(type: string | symbol): Listener[] {
    return this.events.listeners(type)
  }

  listenerCount(type: string | symbol): number {
    return this.events.listeners(type).length
  }

  emit(type: string | symbol, ...args: unknown[]): boolean {
    return this.events.emit(type, args)
  }
}
