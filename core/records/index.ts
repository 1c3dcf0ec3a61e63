/** SA-1B records: the one place masks become records (segmentation, area, bbox, scores, crop box). */
export * from './AmgRecord';
export * from './maskRecordFields';
export * from './candidateRecord';
export * from './toRecords';
