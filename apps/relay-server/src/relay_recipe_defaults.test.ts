import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { protocol } from '@splitlearn/split-core';
import { DEMO_STUDY } from './studies/demo_studies';
import { mlpStudy } from './testing/demo_study';
import { api, startRelayProcess, type RelayProcess } from './testing/relay_process';

// What a study created over REST trains with when its creator leaves the recipe out: the
// defaults are filled in at creation and stored, so the study, its participants (who rebuild
// their segments from the join summary) and a restarted relay all read the same recipe.

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelayProcess({ demo: true });
});

afterAll(async () => {
  await relay?.dispose();
});

interface Created {
  id: string;
  joinCode: string;
  config: protocol.StudyConfig;
}

const xrays: protocol.HorizontalStudyConfigInput = { name: 'chest X-rays', model: 'cnn-small', inputShape: [28, 28, 1], classes: ['normal', 'pneumonia'], topology: 'u-shaped', schedule: 'splitfed-v2' };

/** The config as the relay stores it (GET) and as a participant gets it (the join summary). */
async function storedAndJoined(created: Pick<Created, 'id' | 'joinCode'>): Promise<[unknown, unknown]> {
  const stored = await api<{ config: protocol.StudyConfig }>(relay, 'GET', `/api/studies/${created.id}`);
  const joined = await api<{ study: { config: protocol.StudyConfig } }>(relay, 'GET', `/api/join/${created.joinCode}`, undefined, undefined);
  return ['augmentation' in stored.config ? stored.config.augmentation : undefined, 'augmentation' in joined.study.config ? joined.study.config.augmentation : undefined];
}

describe('a new study’s recipe', () => {
  it('augments images with the default bounds when the creator names no augmentation, and nothing else changes', async () => {
    const created = await api<Created>(relay, 'POST', '/api/studies', xrays);
    const expected = { shift: 0.1, rotation: 10, zoom: 0.1, brightness: 0.1, contrast: 0.1, flip: false };
    expect(await storedAndJoined(created)).toEqual([expected, expected]);
    const stored = (await api<{ config: protocol.HorizontalStudyConfig }>(relay, 'GET', `/api/studies/${created.id}`)).config;
    expect(stored.learningRateSchedule).toBeUndefined();
    expect(stored.weightDecay).toBeUndefined();
    expect(stored.labelSmoothing).toBeUndefined();
    expect(stored.classWeights).toBeUndefined();
  });

  it('keeps the creator’s bounds, and none when the creator says false or the input is a table', async () => {
    const own = await api<Created>(relay, 'POST', '/api/studies', { ...xrays, augmentation: { rotation: 4, flip: true } });
    expect((await storedAndJoined(own))[0]).toEqual({ shift: 0.1, rotation: 4, zoom: 0.1, brightness: 0.1, contrast: 0.1, flip: true });
    const off = await api<Created>(relay, 'POST', '/api/studies', { ...xrays, augmentation: false });
    expect(await storedAndJoined(off)).toEqual([false, false]);
    const table = await api<Created>(relay, 'POST', '/api/studies', mlpStudy('table'));
    expect(await storedAndJoined(table)).toEqual([undefined, undefined]);
  });

  it('leaves the generated demo data unaugmented, in the default demo study and the booth’s', async () => {
    const { studies } = await api<{ studies: { id: string; name: string; joinCode: string }[] }>(relay, 'GET', '/api/studies');
    const startup = studies.find((study) => study.name === DEMO_STUDY.name);
    expect(startup, 'the startup demo study').toBeDefined();
    expect(await storedAndJoined({ id: startup?.id ?? '', joinCode: startup?.joinCode ?? ''})).toEqual([false, false]);
    const booth = await fetch(`${relay.url}/api/demo`, { method: 'POST', headers: { 'content-type': 'application/json', origin: relay.url }, body: JSON.stringify({ hospitals: 2 }) });
    expect(booth.status).toBe(201);
    const { studyId, joinCode } = (await booth.json()) as { studyId: string; joinCode: string };
    expect(await storedAndJoined({ id: studyId, joinCode})).toEqual([false, false]);
  });
});
