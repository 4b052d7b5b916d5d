// Findings and deletions as a scan keeps them: the key event as JSON in a TextLog, outside
// the heap, behind a small object that reads it back when a field is asked for. The report,
// the summary and the issues see ordinary Finding and Deletion values; JSON.stringify sees
// every field, as it would on a plain object.
import type { Actor, KeyEvent, KeyEventType } from './audit-log/event.js'
import {
  alertContextOf,
  dedupOf,
  elevatedScopesOf,
  titleOf,
  type AlertContext,
  type RuleOptions,
  type Severity
} from './rules/api-key-anomalous-activity.js'
import type { Deletion, Finding } from './scan.js'
import { TextLog } from './text-log.js'

/**
 * Key events kept as text, with the rule they were judged by; the last one read is kept
 * decoded, as fields are read one after another.
 */
export class KeptEvents {
  private readonly log = new TextLog()
  private lastIndex = -1
  private lastEvent: KeyEvent | undefined

  constructor(readonly rule: RuleOptions) {}

  push(event: KeyEvent): number {
    return this.log.push(JSON.stringify(event))
  }

  event(index: number): KeyEvent {
    if (index !== this.lastIndex) {
      this.lastEvent = JSON.parse(this.log.text(index)) as KeyEvent
      this.lastIndex = index
    }
    return this.lastEvent!
  }
}

/**
 * A finding over a kept event, in three fields. The severity is held here: the counts and
 * the gate read it for every finding.
 */
export class KeptFinding implements Finding {
  constructor(
    private readonly kept: KeptEvents,
    private readonly index: number,
    readonly severity: Severity
  ) {}

  private get event(): KeyEvent {
    return this.kept.event(this.index)
  }
  private get rule(): RuleOptions {
    return this.kept.rule
  }
  get effectiveAt(): number | undefined {
    return this.event.effectiveAt
  }
  get title(): string {
    return titleOf(this.event, this.rule)
  }
  get dedup(): string {
    return dedupOf(this.event)
  }
  get keyId(): string {
    return this.event.keyId
  }
  get keyName(): string | undefined {
    return this.event.keyName
  }
  get eventId(): string {
    return this.event.id
  }
  get eventType(): KeyEventType {
    return this.event.type
  }
  get scopes(): string[] {
    return this.event.scopes
  }
  get elevatedScopes(): string[] {
    return elevatedScopesOf(this.event, this.rule)
  }
  get projectId(): string | undefined {
    return this.event.projectId
  }
  get actor(): Actor {
    return this.event.actor
  }
  get alertContext(): AlertContext {
    return alertContextOf(this.event, this.rule)
  }

  /** The finding as a plain object, in the order of the Finding interface. */
  toJSON(): Finding {
    const event = this.event
    return {
      severity: this.severity,
      title: titleOf(event, this.rule),
      dedup: dedupOf(event),
      keyId: event.keyId,
      keyName: event.keyName,
      eventId: event.id,
      eventType: event.type,
      effectiveAt: event.effectiveAt,
      scopes: event.scopes,
      elevatedScopes: elevatedScopesOf(event, this.rule),
      projectId: event.projectId,
      actor: event.actor,
      alertContext: alertContextOf(event, this.rule)
    }
  }
}

/** A deletion over a kept event. */
export class KeptDeletion implements Deletion {
  constructor(
    private readonly kept: KeptEvents,
    private readonly index: number
  ) {}

  private get event(): KeyEvent {
    return this.kept.event(this.index)
  }
  get effectiveAt(): number | undefined {
    return this.event.effectiveAt
  }
  get keyId(): string {
    return this.event.keyId
  }
  get eventId(): string {
    return this.event.id
  }
  get actor(): Actor {
    return this.event.actor
  }

  toJSON(): Deletion {
    const event = this.event
    return { keyId: event.keyId, eventId: event.id, effectiveAt: event.effectiveAt, actor: event.actor }
  }
}
