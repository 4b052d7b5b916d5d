// JSON as the sources and adapters read it, before the model's types are made of it.

/** A JSON object whose values are not read yet. */
export type Json = Record<string, unknown>

/** An object (not null, not an array): what can be looked into by key. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
