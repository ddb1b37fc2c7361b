import { describe, expect, it } from 'vitest';
import { exportFileName, slug } from './file_names';
import { planSegmentDownload } from './server_segment';

describe('server segment download', () => {
  const modelJson = { format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['./weights.bin'], weights: [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }] }] };

  it('prefixes every file and points the manifest at the renamed weights', () => {
    const result = planSegmentDownload(modelJson, 'pilot-server');
    expect(result).toEqual({
      ok: true,
      plan: {
        modelFileName: 'pilot-server-model.json',
        weights: [{ source: 'weights.bin', saveAs: 'pilot-server-weights.bin' }],
        modelJson: { ...modelJson, weightsManifest: [{ paths: ['./pilot-server-weights.bin'], weights: modelJson.weightsManifest[0]?.weights }] },
      },
    });
  });

  it('refuses weight paths outside the export folder and manifests without weights', () => {
    expect(planSegmentDownload({ weightsManifest: [{ paths: ['../../api/studies'] }] }, 'x')).toMatchObject({ ok: false });
    expect(planSegmentDownload({ weightsManifest: [{ paths: ['https://elsewhere/w.bin'] }] }, 'x')).toMatchObject({ ok: false });
    expect(planSegmentDownload({ weightsManifest: [] }, 'x')).toMatchObject({ ok: false, problem: 'model.json names no weight file' });
    expect(planSegmentDownload('nonsense', 'x')).toMatchObject({ ok: false });
  });

  it('names exports after the study', () => {
    expect(slug('Pneumonia pilot — Zürich (2025)')).toBe('pneumonia-pilot-zurich-2025');
    expect(slug('***')).toBe('study');
    expect(exportFileName('Pneumonia pilot', 'Validation AUC', 'png')).toBe('pneumonia-pilot-validation-auc.png');
  });
});
