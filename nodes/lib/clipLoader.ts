import { loadClipModel, type ClipModel } from '../../core';

/**
 * The one place nodes get a CLIP model from (`loadClipModel(folder)`; the default folder is
 * <package>/models/clip). Tests swap `load` for a fake ClipModel and restore it afterwards.
 */
export const clipLoader: { load: (folder: string | undefined) => Promise<ClipModel> } = {
  load: (folder) => (folder ? loadClipModel(folder) : loadClipModel()),
};
