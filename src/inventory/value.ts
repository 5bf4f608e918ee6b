// The values an inventory can hold: what Python's literal_eval and a YAML/JSON loader produce, as JSON.

// One inventory variable value (JSON-shaped, as ansible-inventory prints it).
export type InventoryValue = string | number | boolean | null | InventoryValue[] | { [key: string]: InventoryValue }

// A variable record of a host or group.
export type VarRecord = Record<string, InventoryValue>

// True for a plain mapping value (not a list, not null).
export function isMapping(value: unknown): value is Record<string, InventoryValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Assign an own property even for keys like `__proto__`, which inventories may legally use.
export function putKey(record: VarRecord, key: string, value: InventoryValue): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
}
