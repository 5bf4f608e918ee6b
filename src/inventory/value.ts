// The values an inventory can hold: what Python's literal_eval and a YAML/JSON loader produce, as JSON.

// One inventory variable value (JSON-shaped, as ansible-inventory prints it). Python's integers have no
// bound: one beyond 2^53 is a bigint, so it prints (and is used) exactly.
export type InventoryValue = string | number | bigint | boolean | null | InventoryValue[] | { [key: string]: InventoryValue }

// A variable record of a host or group.
export type VarRecord = Record<string, InventoryValue>

// True for a plain mapping value (not a list, not null).
export function isMapping(value: unknown): value is Record<string, InventoryValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// An integer as an inventory value: a number where that is exact, else a bigint.
export function exactInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
}

// A value as JSON text on one line (bigints as their digits), for messages.
export function showValue(value: InventoryValue | undefined): string {
  if (value === undefined) return 'nothing'
  return toJsonText(value)
}

// JSON.stringify for inventory values, bigints written as their digits (JSON has no bound on integers).
export function toJsonText(value: InventoryValue, indent = 0, level = 0): string {
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const pad = indent > 0 ? '\n' + ' '.repeat(indent * (level + 1)) : ''
  const end = indent > 0 ? '\n' + ' '.repeat(indent * level) : ''
  const items = Array.isArray(value)
    ? value.map((v) => toJsonText(v, indent, level + 1))
    : Object.keys(value).filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${indent > 0 ? ' ' : ''}${toJsonText(value[k] as InventoryValue, indent, level + 1)}`)
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  return items.length === 0 ? open + close : open + pad + items.join(',' + pad) + end + close
}

// Assign an own property even for keys like `__proto__`, which inventories may legally use.
export function putKey(record: VarRecord, key: string, value: InventoryValue): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
}
