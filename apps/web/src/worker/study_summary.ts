import { study as studyLib, type protocol } from '@splitlearn/split-core';
import type { StudySummary } from './messages';

type StudyInfo = protocol.StudyInfo;

export function toStudySummary(study: StudyInfo): StudySummary {
  const config = study.config;
  const names = studyLib.positionNames(config);
  const positions = names?.map((name, index) => ({ name, intermediate: studyLib.isIntermediate(config, index) }));
  const common = {
    id: study.id,
    name: config.name,
    state: study.state,
    round: study.round,
    rounds: config.rounds,
    topology: config.topology,
    schedule: config.schedule,
    codec: config.codec,
    classes: config.classes,
    batchSize: config.batchSize,
    validationFraction: config.validationFraction,
    minClients: config.minClients,
    ...(config.handoffKeyCheck !== undefined ? { handoffKeyCheck: config.handoffKeyCheck } : {}),
    ...(config.maxStepsPerRound !== undefined ? { maxStepsPerRound: config.maxStepsPerRound } : {}),
    ...(positions ? { positions } : {}),
  };
  if (!('parties' in config)) return { ...common, model: config.model, inputShape: config.inputShape };
  return {
    ...common,
    model: config.head,
    inputShape: [],
    vertical: {
      parties: config.parties.map((party) => ({ name: party.name, ...('columns' in party.input ? { columns: party.input.columns } : { image: party.input.image }) })),
      labelHolder: config.labelHolder,
      idColumn: config.idColumn,
      labelColumn: config.labelColumn,
      fileColumn: config.fileColumn,
      ...(config.topology === 'multi-task' ? { taskColumns: config.tasks.map((task) => task.column ?? task.name) } : {}),
    },
  };
}
