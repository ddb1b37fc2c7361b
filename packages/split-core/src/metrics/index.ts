// Validation metrics: per-client evaluation, merging across clients, ROC-AUC.
export * from './auc';
export * from './classification';
export * from './confusion';
export * from './merge';
export * from './operating_point';
