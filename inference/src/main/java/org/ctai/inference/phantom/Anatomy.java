package org.ctai.inference.phantom;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The random abdomen of one seed, as layers painted in order (air first, tumours last), in patient
 * coordinates (LPS, mm): x grows to the patient's left, y posteriorly, z towards the head.
 *
 * <p>Each kind of structure draws from its own random stream, so the anatomy does not shift when,
 * say, the tumour count changes, and the tumours do not move when their scale changes. Sizes are
 * adult-abdomen sizes; HU values are portal-venous-phase values. Immutable.
 */
final class Anatomy {

    /** One tumour before rendering: its shape at the spec's scale, its contrast, its label. */
    record TumourPlan(int label, LobulatedBlob blob, double nominalRadiusMm, double contrastHu) { }

    private static final double AIR_HU = -1000;
    private static final double GAS_HU = -960;

    private final List<Layer> layers = new ArrayList<>();
    private final List<TumourPlan> tumours = new ArrayList<>();
    private final double liverHu;

    /** Stream ids, one per kind of structure. */
    private enum Stream { BODY, ORGANS, BOWEL, VESSELS, RIBS, TUMOURS }

    private Anatomy(PhantomSpec spec, double seriesCentreZ, double liverCentreZ, double seriesHalfExtentMm) {
        SplittableRandom body = stream(spec.seed(), Stream.BODY);
        SplittableRandom organs = stream(spec.seed(), Stream.ORGANS);

        // body outline, subcutaneous fat, abdominal wall, abdominal cavity; the back lies flat on the couch
        double bigA = uniform(body, 135, 170), bigB = uniform(body, 100, 122);
        double bx = uniform(body, -6, 6), by = uniform(body, -14, 0);
        double yBack = by + 0.88 * bigB;
        double fat = uniform(body, 8, 30), wall = uniform(body, 7, 12);
        double fatHu = uniform(body, -115, -90), muscleHu = uniform(body, 42, 58);
        double zc = liverCentreZ;
        Ellipsoid bodyShape = Ellipsoid.cylinder(bx, by, bigA, bigB, 0);
        Ellipsoid wallShape = bodyShape.grownBy(-fat);
        Ellipsoid cavityShape = wallShape.grownBy(-wall);
        Region cavity = cavityShape.within(Region.anteriorOf(yBack - 0.6 * fat - wall - 12));
        layers.add(Layer.anatomy(Ellipsoid.cylinder(0, yBack + 12, 230, 4, 0), Tissue.uniform(uniform(body, -200, 100)))); // couch top
        layers.add(Layer.anatomy(bodyShape.within(Region.anteriorOf(yBack)), Tissue.uniform(fatHu)));
        layers.add(Layer.anatomy(wallShape.within(Region.anteriorOf(yBack - 0.6 * fat)), Tissue.textured(muscleHu, 3, body)));
        layers.add(Layer.anatomy(cavity, Tissue.uniform(fatHu + uniform(body, -5, 10))));

        // spine: vertebral body with discs, canal, posterior elements; back and psoas muscles
        double vrx = uniform(body, 18, 23), vry = uniform(body, 15, 19);
        double yCanal = yBack - 0.6 * fat - 50;
        double yVert = yCanal - 9 - vry;
        double boneHu = uniform(body, 600, 900), cancellousHu = uniform(body, 170, 260);
        // painted after the organs, which must not cover them
        List<Layer> spine = new ArrayList<>();
        Tissue muscle = Tissue.textured(muscleHu, 3, body);
        spine.add(Layer.anatomy(Ellipsoid.cylinder(bx - 32, yCanal + 20, 24, 20, 0.2), muscle));
        spine.add(Layer.anatomy(Ellipsoid.cylinder(bx + 32, yCanal + 20, 24, 20, -0.2), muscle));
        for (int side = -1; side <= 1; side += 2) {
            // psoas widens towards the pelvis
            spine.add(Layer.anatomy(new Ellipsoid(bx + side * (vrx + 13), yVert + 3, zc, 10, 9,
                    Double.POSITIVE_INFINITY, side * 0.5, -0.005, 0, 0), muscle));
        }
        spine.add(Layer.anatomy(Ellipsoid.cylinder(bx, yCanal + 5, 21, 7, 0), Tissue.uniform(boneHu * 0.8))); // laminae
        spine.add(Layer.anatomy(Ellipsoid.cylinder(bx, yCanal + 24, 4, 18, 0), Tissue.uniform(boneHu * 0.8))); // spinous process
        Ellipsoid vertebra = Ellipsoid.cylinder(bx, yVert, vrx, vry, 0);
        spine.add(Layer.anatomy(vertebra, Tissue.uniform(boneHu)));
        spine.add(Layer.anatomy(vertebra.grownBy(-2.5), Tissue.textured(cancellousHu, 15, body)));
        double level = uniform(body, 27, 33);
        spine.add(Layer.anatomy(vertebra.within(Region.zBands(level, zc + uniform(body, 0, level), uniform(body, 6, 9))),
                Tissue.uniform(uniform(body, 70, 100)))); // discs
        spine.add(Layer.anatomy(Ellipsoid.cylinder(bx, yCanal, 9, 8, 0), Tissue.uniform(uniform(body, 5, 25)))); // canal

        addRibs(spec, bx, by, bigA - fat - wall / 2, bigB - fat - wall / 2, zc);

        // organs: the order matters where they touch (the later one lies on top)
        liverHu = uniform(organs, 55, 115);
        double veinHu = uniform(organs, 120, 175), aortaHu = uniform(organs, 140, 230);
        Ellipsoid stomach = Ellipsoid.of(bx + 0.35 * bigA, by - 0.18 * bigB, zc + 25, 0.2 * bigA, 0.22 * bigB, 50, 0.4);
        addHollowOrgan(stomach, organs, cavity);
        addBowel(spec, bx, by, bigA, bigB, cavity, seriesCentreZ, seriesHalfExtentMm, zc);
        Ellipsoid spleen = Ellipsoid.of(bx + 0.6 * bigA, by + 0.3 * bigB, zc + 15, 0.15 * bigA, 0.33 * bigB, 55, 0.55);
        layers.add(Layer.anatomy(spleen.within(cavity), Tissue.textured(liverHu + uniform(organs, -10, 20), 4, organs)));
        Ellipsoid rightLobe = new Ellipsoid(bx - 0.42 * bigA, by - 0.04 * bigB, zc, 0.46 * bigA, 0.6 * bigB, 85,
                uniform(organs, -0.15, 0.15), 0.003, 0, 0);
        Ellipsoid leftLobe = Ellipsoid.of(bx + 0.05 * bigA, by - 0.42 * bigB, zc + 20, 0.38 * bigA, 0.25 * bigB, 50, -0.25);
        Tissue liver = Tissue.textured(liverHu, 4, organs);
        layers.add(Layer.anatomy(rightLobe.within(cavity), liver));
        layers.add(Layer.anatomy(leftLobe.within(cavity), liver));
        for (int side = -1; side <= 1; side += 2) {
            double kz = zc - (side < 0 ? 80 : 68) + uniform(organs, -8, 8);
            Ellipsoid kidney = Ellipsoid.of(bx + side * (vrx + 48), yVert + 2, kz, 27, 19, 55, side * 0.45);
            double cortexHu = uniform(organs, 150, 210);
            layers.add(Layer.anatomy(kidney, Tissue.textured(cortexHu, 4, organs)));
            layers.add(Layer.anatomy(Ellipsoid.of(bx + side * (vrx + 48), yVert + 2, kz, 18, 12, 40, side * 0.45),
                    Tissue.uniform(cortexHu - 60))); // medulla
            layers.add(Layer.anatomy(Ellipsoid.of(bx + side * (vrx + 38), yVert, kz, 8, 6, 25, side * 0.45),
                    Tissue.uniform(-60))); // renal sinus fat
        }
        layers.addAll(spine);
        layers.add(Layer.anatomy(new Ellipsoid(bx - 24, yVert - vry - 8, zc, 13, 9, Double.POSITIVE_INFINITY, 0, 0, 0, 0),
                Tissue.uniform(veinHu))); // inferior vena cava
        double aortaR = uniform(organs, 9, 13);
        layers.add(Layer.anatomy(Ellipsoid.cylinder(bx + 10, yVert - vry - aortaR - 2, aortaR, aortaR, 0), Tissue.uniform(aortaHu)));
        addLiverVessels(spec, rightLobe, leftLobe, cavity, veinHu);
        if (organs.nextDouble() < 0.6) {
            Ellipsoid gallbladder = Ellipsoid.of(bx - 0.12 * bigA, by - 0.3 * bigB, zc - 45, 13, 11, 32, 0.8);
            layers.add(Layer.anatomy(gallbladder.within(cavity), Tissue.uniform(uniform(organs, 0, 20))));
        }

        addTumours(spec, rightLobe, leftLobe, cavityShape, vertebra, seriesCentreZ, seriesHalfExtentMm);
    }

    /** Anatomy for a spec whose slices are centred at {@code seriesCentreZ} and span ±{@code seriesHalfExtentMm}. */
    static Anatomy of(PhantomSpec spec, double seriesCentreZ, double liverCentreZ, double seriesHalfExtentMm) {
        return new Anatomy(spec, seriesCentreZ, liverCentreZ, seriesHalfExtentMm);
    }

    /** Where the liver's centre lies for a seed (a table position), and where the series is centred. */
    static double[] liverAndSeriesCentreZ(long seed) {
        SplittableRandom random = stream(seed, Stream.BODY).split();
        double liver = -uniform(random, 100, 300);
        return new double[] {liver, liver + uniform(random, -15, 15)};
    }

    List<Layer> layers() {
        return layers;
    }

    List<TumourPlan> tumours() {
        return tumours;
    }

    double liverHu() {
        return liverHu;
    }

    private void addRibs(PhantomSpec spec, double bx, double by, double ribA, double ribB, double zc) {
        SplittableRandom random = stream(spec.seed(), Stream.RIBS);
        double ribHu = uniform(random, 350, 700);
        for (int level = 0; level < 8; level++) {
            double z = zc + 75 - level * uniform(random, 18, 24);
            for (int k = 0; k < 4; k++) {
                double angle = k < 2 ? Math.toRadians(uniform(random, 130, 235)) : Math.toRadians(uniform(random, -55, 50));
                double x = bx + ribA * StrictMath.cos(angle), y = by + ribB * StrictMath.sin(angle);
                // ribs run obliquely downwards and forwards: the cross-section slides along the wall with z
                double tangentX = -StrictMath.sin(angle), tangentY = StrictMath.cos(angle);
                double drift = uniform(random, -0.6, 0.6);
                layers.add(Layer.anatomy(new Ellipsoid(x, y, z, 6, 3.5, uniform(random, 10, 16), angle + Math.PI / 2, 0,
                        drift * tangentX, drift * tangentY), Tissue.uniform(ribHu)));
            }
        }
    }

    /** A gut segment: wall, fluid, and gas floating on the fluid (anterior in a supine patient). */
    private void addHollowOrgan(Ellipsoid outer, SplittableRandom random, Region cavity) {
        layers.add(Layer.anatomy(outer.within(cavity), Tissue.uniform(uniform(random, 35, 55))));
        Ellipsoid lumen = outer.grownBy(-3);
        layers.add(Layer.anatomy(lumen.within(cavity), Tissue.uniform(uniform(random, 0, 25))));
        double kind = random.nextDouble();
        double level = outer.centreY() + uniform(random, -0.6, 0.6) * 12;
        if (kind < 0.35) {
            layers.add(Layer.anatomy(lumen.within(cavity), Tissue.uniform(GAS_HU)));
        } else if (kind < 0.7) {
            layers.add(Layer.anatomy(lumen.within(cavity).within(Region.anteriorOf(level)), Tissue.uniform(GAS_HU)));
        }
    }

    private void addBowel(PhantomSpec spec, double bx, double by, double bigA, double bigB, Region cavity,
                          double seriesCentreZ, double halfExtent, double zc) {
        SplittableRandom random = stream(spec.seed(), Stream.BOWEL);
        int loops = 8 + random.nextInt(8);
        Ellipsoid liverZone = new Ellipsoid(bx - 0.42 * bigA, by - 0.04 * bigB, zc, 0.46 * bigA + 15, 0.6 * bigB + 15, 95, 0, 0.003, 0, 0);
        for (int i = 0; i < loops; i++) {
            double x = bx + uniform(random, -0.25, 0.7) * bigA, y = by + uniform(random, -0.8, 0.15) * bigB;
            double z = seriesCentreZ + uniform(random, -1, 1) * (halfExtent + 30);
            double r = uniform(random, 9, 18);
            Ellipsoid loop = Ellipsoid.of(x, y, z, r, r * uniform(random, 0.6, 1), uniform(random, 15, 45), random.nextDouble() * Math.PI);
            if (liverZone.normalisedRadius(x, y, z) < 1) continue; // bowel lies below and beside the liver, not in it
            addHollowOrgan(loop, random, cavity);
        }
    }

    private void addLiverVessels(PhantomSpec spec, Ellipsoid rightLobe, Ellipsoid leftLobe, Region cavity, double veinHu) {
        SplittableRandom random = stream(spec.seed(), Stream.VESSELS);
        int count = 3 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            Ellipsoid lobe = i % 3 == 2 ? leftLobe : rightLobe;
            double[] p = pointInside(random, lobe, 0.7);
            double r = uniform(random, 2.5, 5.5);
            layers.add(Layer.anatomy(new Ellipsoid(p[0], p[1], p[2], r, r, 70, 0, 0,
                    uniform(random, -0.4, 0.4), uniform(random, -0.4, 0.4)).within(lobe).within(cavity), Tissue.uniform(veinHu)));
        }
    }

    private void addTumours(PhantomSpec spec, Ellipsoid rightLobe, Ellipsoid leftLobe, Ellipsoid cavityShape,
                            Ellipsoid vertebra, double seriesCentreZ, double halfExtent) {
        SplittableRandom random = stream(spec.seed(), Stream.TUMOURS);
        List<double[]> placed = new ArrayList<>();
        for (int label = 1; label <= spec.tumours(); label++) {
            // every draw for this tumour comes from its own stream, so a rejected position never shifts later tumours
            SplittableRandom own = random.split();
            double radius = Math.exp(uniform(own, Math.log(7), Math.log(22)));
            boolean hypo = own.nextDouble() < 0.65;
            double contrast = hypo ? -uniform(own, 30, 70) : uniform(own, 25, 55);
            double lobulation = uniform(own, 0.3, 1.0);
            boolean necrotic = radius > 12 && own.nextDouble() < 0.4;
            double necrosisHu = uniform(own, 15, 35);
            SplittableRandom shapeRandom = own.split();
            double[] centre = placeTumour(own, radius, rightLobe, leftLobe, cavityShape, vertebra, seriesCentreZ, halfExtent, placed);
            placed.add(new double[] {centre[0], centre[1], centre[2], radius});
            LobulatedBlob blob = LobulatedBlob.random(shapeRandom, centre[0], centre[1], centre[2], radius, lobulation)
                    .scaled(spec.tumourScale());
            double tumourHu = liverHu + contrast;
            layers.add(new Layer(blob, Tissue.textured(tumourHu, 5, shapeRandom), label));
            if (necrotic) layers.add(new Layer(blob.scaled(0.45), Tissue.textured(tumourHu - necrosisHu, 4, shapeRandom), label));
            tumours.add(new TumourPlan(label, blob, radius * spec.tumourScale(), contrast));
        }
    }

    private static double[] placeTumour(SplittableRandom random, double radius, Ellipsoid rightLobe, Ellipsoid leftLobe,
                                        Ellipsoid cavityShape, Ellipsoid vertebra, double seriesCentreZ, double halfExtent, List<double[]> placed) {
        double zReach = Math.max(0, halfExtent - 0.3 * radius);
        for (int attempt = 0; attempt < 2000; attempt++) {
            boolean left = random.nextDouble() < 0.2;
            Ellipsoid lobe = left ? leftLobe : rightLobe;
            double[] p = pointInside(random, lobe, 0.75);
            p[2] = seriesCentreZ + uniform(random, -1, 1) * zReach;
            if (lobe.normalisedRadius(p[0], p[1], p[2]) > (left ? 0.6 : 0.8)) continue;
            if (cavityShape.normalisedRadius(p[0], p[1], p[2]) > 0.8) continue;
            double[] spine = vertebra.boundsAt(p[2]);
            double spineRadius = (spine[1] - spine[0]) / 2;
            if (Math.hypot(p[0] - vertebra.centreX(), p[1] - vertebra.centreY()) < spineRadius + 1.3 * radius + 5) continue;
            boolean apart = true;
            // after many failures let tumours touch rather than fail: a crowded liver is still a valid phantom
            double spacing = attempt < 1000 ? 1.1 : 0.6;
            for (double[] q : placed) {
                double dx = p[0] - q[0], dy = p[1] - q[1], dz = p[2] - q[2];
                if (Math.sqrt(dx * dx + dy * dy + dz * dz) < spacing * (radius + q[3])) apart = false;
            }
            if (apart) return p;
        }
        throw new IllegalStateException("could not place a tumour of radius " + Math.round(radius) + " mm in the liver after 2000 attempts"
                + " (tumours already placed: " + placed.size() + "); ask for fewer tumours");
    }

    /** A random point of the ellipsoid's bounding box at its centre plane whose normalised radius is below {@code limit}. */
    private static double[] pointInside(SplittableRandom random, Ellipsoid e, double limit) {
        double[] b = e.boundsAt(e.centreZ());
        for (int attempt = 0; attempt < 1000; attempt++) {
            double x = uniform(random, b[0], b[1]), y = uniform(random, b[2], b[3]);
            if (e.normalisedRadius(x, y, e.centreZ()) < limit) return new double[] {x, y, e.centreZ()};
        }
        return new double[] {e.centreX(), e.centreY(), e.centreZ()};
    }

    private static SplittableRandom stream(long seed, Stream stream) {
        return new SplittableRandom(mix(seed * 31 + stream.ordinal() + 1));
    }

    /** Stafford's variant 13 of the 64-bit finaliser: neighbouring seeds give unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static double uniform(SplittableRandom random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }
}
