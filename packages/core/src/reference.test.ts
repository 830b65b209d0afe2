import { describe, expect, it } from 'vitest';
import { getPartialReference, getReference } from './reference.js';
import { InvalidObjectError } from './sinkError.js';

describe('getReference', () => {
  it('builds a reference from an object, resourceVersion included', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'foo',
        namespace: 'baz',
        uid: 'bar',
        resourceVersion: '7',
        labels: { a: 'b' },
      },
      spec: {},
    };
    expect(getReference(pod)).toEqual({
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'foo',
      namespace: 'baz',
      uid: 'bar',
      resourceVersion: '7',
    });
  });

  it('copies an ObjectReference with its fieldPath', () => {
    const ref = {
      kind: 'Pod',
      apiVersion: 'v1',
      name: 'foo',
      fieldPath: 'spec.containers[2]',
    };
    expect(getReference(ref)).toEqual(ref);
    expect(getReference(ref)).not.toBe(ref);
  });

  it('sets fieldPath for a partial reference', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    expect(getPartialReference(node, 'status')).toEqual({
      kind: 'Node',
      apiVersion: 'v1',
      name: 'n1',
      fieldPath: 'status',
    });
  });

  it.each([
    [null, /nil object/],
    [undefined, /nil object/],
    ['pod', /string/],
    [{ apiVersion: 'v1', metadata: { name: 'x' } }, /no kind/],
    [{ kind: 'Pod', metadata: { name: 'x' } }, /no apiVersion/],
    [
      { kind: 'Pod', apiVersion: 'v1', metadata: { name: 42 } },
      /metadata.name must be a string/,
    ],
    [
      { kind: 'Pod', apiVersion: 'v1', metadata: 'x' },
      /metadata must be an object/,
    ],
  ])('refuses %j with a typed error', (input, message) => {
    expect(() => getReference(input)).toThrow(InvalidObjectError);
    expect(() => getReference(input)).toThrow(message);
  });
});
