package org.conv4j;

/**
 * The order of a tensor's axes in memory, outermost first, written as axis letters.
 *
 * <p>Activations use N (batch), C (channels) and the spatial axes D, H, W. Filters use O (output channels),
 * I (input channels per group) and the spatial axes. Transposed-convolution filters keep TensorFlow's
 * {@code [h, w, out, in]} ({@code HWOI}) or PyTorch's {@code (in, out, kH, kW)} ({@code IOHW}).
 */
public enum Layout {
    // activations
    NWC(Kind.ACTIVATION), NCW(Kind.ACTIVATION),
    NHWC(Kind.ACTIVATION), NCHW(Kind.ACTIVATION),
    NDHWC(Kind.ACTIVATION), NCDHW(Kind.ACTIVATION),
    /** Features of a batch: inputs and outputs of fully connected layers, softmax, global pooling. */
    NC(Kind.ACTIVATION),
    // convolution filters: TensorFlow (spatial, I, O) and PyTorch/ONNX (O, I, spatial)
    WIO(Kind.FILTER), HWIO(Kind.FILTER), DHWIO(Kind.FILTER),
    OIW(Kind.FILTER), OIHW(Kind.FILTER), OIDHW(Kind.FILTER),
    // transposed-convolution filters: TensorFlow [spatial, out, in] and PyTorch (in, out, spatial)
    WOI(Kind.TRANSPOSED_FILTER), HWOI(Kind.TRANSPOSED_FILTER), DHWOI(Kind.TRANSPOSED_FILTER),
    IOW(Kind.TRANSPOSED_FILTER), IOHW(Kind.TRANSPOSED_FILTER), IODHW(Kind.TRANSPOSED_FILTER),
    // fully connected weights: TensorFlow [in, out] and PyTorch (out, in)
    IO(Kind.DENSE_WEIGHTS), OI(Kind.DENSE_WEIGHTS),
    /** A plain vector: biases and per-channel parameters. */
    X(Kind.VECTOR);

    /** What a layout describes. */
    public enum Kind { ACTIVATION, FILTER, TRANSPOSED_FILTER, DENSE_WEIGHTS, VECTOR }

    private final Kind kind;
    private final String axes;

    Layout(Kind kind) {
        this.kind = kind;
        this.axes = name();
    }

    public Kind kind() {
        return kind;
    }

    /** Number of axes. */
    public int rank() {
        return axes.length();
    }

    /** Number of spatial axes (D, H, W) among the axes. */
    public int spatialRank() {
        int n = 0;
        for (int i = 0; i < axes.length(); i++) {
            char a = axes.charAt(i);
            if (a == 'D' || a == 'H' || a == 'W') {
                n++;
            }
        }
        return n;
    }

    /** Position of an axis letter, or -1. */
    public int axis(char letter) {
        return axes.indexOf(letter);
    }

    /** True for activations whose channel axis is last (TensorFlow's default). */
    public boolean channelsLast() {
        return kind == Kind.ACTIVATION && axes.charAt(axes.length() - 1) == 'C';
    }

    /** Spatial axis letters for a spatial rank: W; H, W; D, H, W. */
    static String spatialLetters(int spatialRank) {
        return switch (spatialRank) {
            case 0 -> "";
            case 1 -> "W";
            case 2 -> "HW";
            case 3 -> "DHW";
            default -> throw new IllegalArgumentException("spatial rank must be 0 to 3, was " + spatialRank);
        };
    }

    /** Physical dims from logical parts: {@code first} is N or O, {@code second} is C or I, spatial in D, H, W order. */
    private int[] dims(int first, int second, int[] spatial) {
        if (spatial.length != spatialRank()) {
            throw new IllegalArgumentException(
                    "layout " + this + " has " + spatialRank() + " spatial axes, got " + spatial.length);
        }
        String letters = spatialLetters(spatial.length);
        int[] dims = new int[rank()];
        for (int i = 0; i < dims.length; i++) {
            char a = axes.charAt(i);
            dims[i] = switch (a) {
                case 'N', 'O' -> first;
                case 'C', 'I' -> second;
                default -> spatial[letters.indexOf(a)];
            };
        }
        return dims;
    }

    /** Physical dims of an activation tensor in this layout. */
    public int[] activationDims(int batch, int channels, int... spatial) {
        require(Kind.ACTIVATION);
        return dims(batch, channels, spatial);
    }

    /** Physical dims of a filter tensor in this layout. */
    public int[] filterDims(int out, int in, int... spatial) {
        if (kind != Kind.FILTER && kind != Kind.TRANSPOSED_FILTER && kind != Kind.DENSE_WEIGHTS) {
            throw new IllegalArgumentException("layout " + this + " is not a filter layout");
        }
        return dims(out, in, spatial);
    }

    /** Spatial extents, in D, H, W order, read from physical dims in this layout. */
    public int[] spatialOf(int[] dims) {
        String letters = spatialLetters(spatialRank());
        int[] s = new int[letters.length()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dims[axis(letters.charAt(i))];
        }
        return s;
    }

    /** The extent of axis {@code letter} in physical dims laid out in this layout. */
    public int extent(int[] dims, char letter) {
        int a = axis(letter);
        if (a < 0) {
            throw new IllegalArgumentException("layout " + this + " has no axis " + letter);
        }
        return dims[a];
    }

    /** The activation layout of the given spatial rank, channels last or first. */
    public static Layout activation(int spatialRank, boolean channelsLast) {
        return switch (spatialRank) {
            case 0 -> NC;
            case 1 -> channelsLast ? NWC : NCW;
            case 2 -> channelsLast ? NHWC : NCHW;
            case 3 -> channelsLast ? NDHWC : NCDHW;
            default -> throw new IllegalArgumentException("spatial rank must be 0 to 3, was " + spatialRank);
        };
    }

    /** The convolution filter layout of the given spatial rank: TensorFlow's (HWIO) or PyTorch's (OIHW). */
    public static Layout filter(int spatialRank, boolean tensorflow) {
        return switch (spatialRank) {
            case 1 -> tensorflow ? WIO : OIW;
            case 2 -> tensorflow ? HWIO : OIHW;
            case 3 -> tensorflow ? DHWIO : OIDHW;
            default -> throw new IllegalArgumentException("filter spatial rank must be 1 to 3, was " + spatialRank);
        };
    }

    /** The transposed-convolution filter layout: TensorFlow's (HWOI) or PyTorch's (IOHW). */
    public static Layout transposedFilter(int spatialRank, boolean tensorflow) {
        return switch (spatialRank) {
            case 1 -> tensorflow ? WOI : IOW;
            case 2 -> tensorflow ? HWOI : IOHW;
            case 3 -> tensorflow ? DHWOI : IODHW;
            default -> throw new IllegalArgumentException("filter spatial rank must be 1 to 3, was " + spatialRank);
        };
    }

    private void require(Kind k) {
        if (kind != k) {
            throw new IllegalArgumentException("layout " + this + " is not of kind " + k);
        }
    }
}
