import type { Event } from '@event-recorder/core';
import type {
  KeyFuncName,
  MessageFuncName,
  SpamKeyFuncName,
} from './scenario.js';

// The same definitions as conformance/go/funcs.go; keep them in step.

type KeyFunc = (event: Event) => { aggregateKey: string; localKey: string };

function objectKey(e: Event): string {
  const o = e.involvedObject;
  return [
    e.source?.component ?? '',
    e.source?.host ?? '',
    o.kind ?? '',
    o.namespace ?? '',
    o.name ?? '',
    o.uid ?? '',
    o.apiVersion ?? '',
  ].join('');
}

/** The named aggregation key function, or `undefined` for the default. */
export function keyFuncByName(
  name: KeyFuncName | undefined,
): KeyFunc | undefined {
  switch (name) {
    case undefined:
    case 'default':
      return undefined;
    case 'objectOnly':
      return (e) => ({
        aggregateKey: objectKey(e),
        localKey: `${e.reason ?? ''}/${e.message ?? ''}`,
      });
  }
}

/** The named aggregate-message function, or `undefined` for the default. */
export function messageFuncByName(
  name: MessageFuncName | undefined,
): ((event: Event) => string) | undefined {
  switch (name) {
    case undefined:
    case 'default':
      return undefined;
    case 'bracketed':
      return (e) => `[aggregated] ${e.message ?? ''}`;
  }
}

/** The named spam key function, or `undefined` for the default. */
export function spamKeyFuncByName(
  name: SpamKeyFuncName | undefined,
): ((event: Event) => string) | undefined {
  switch (name) {
    case undefined:
    case 'default':
      return undefined;
    case 'withReason':
      return (e) => objectKey(e) + (e.reason ?? '');
    case 'perMessage':
      return (e) =>
        objectKey(e) + (e.type ?? '') + (e.reason ?? '') + (e.message ?? '');
  }
}
