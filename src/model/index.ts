// The shared model: what every stage reads and writes. Types, and the vocabulary they share
// (severity.ts, json.ts, repository.ts); no I/O, and no imports but its own.
export * from './actor.js'
export * from './events.js'
export * from './investigation.js'
export * from './json.js'
export * from './keys.js'
export * from './listed.js'
export * from './network.js'
export * from './repository.js'
export * from './scan.js'
export * from './severity.js'
export * from './source.js'
