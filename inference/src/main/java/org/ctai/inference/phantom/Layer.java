package org.ctai.inference.phantom;

/**
 * One structure painted over what lies under it, in painting order. {@code label} is 0 for anatomy
 * and the tumour number (1..) for tumour tissue, which is what the truth masks record.
 */
record Layer(Region region, Tissue tissue, int label) {

    static Layer anatomy(Region region, Tissue tissue) {
        return new Layer(region, tissue, 0);
    }
}
