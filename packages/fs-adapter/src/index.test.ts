import { describe, expect, it } from 'vitest';
import * as fsAdapter from './index.js';

// The call sites use openFileSession and followFileSession; the former names stay one release.
describe('the deprecated session names', () => {
  it('openSession and followSessionFile are the same functions', () => {
    expect(fsAdapter.openSession).toBe(fsAdapter.openFileSession);
    expect(fsAdapter.followSessionFile).toBe(fsAdapter.followFileSession);
  });
});
