/** Side of SAM's low-resolution mask logits (mask_input and low_res_masks). */
export const LOW_RES_SIZE = 256;
