package org.conv4j.tools.bindgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Generates the FFM bindings of conv4j's oneDNN engine from the pinned oneDNN C headers (jextract stand-in).
 *
 * <p>It runs a small C preprocessor (conditionals, object-like macros), then parses the enums, structs, typedefs
 * and function prototypes it needs. Enum members get their real values, implicit numbering included (the
 * members of {@code dnnl_format_tag_t} are numbered by position, so a hand-written {@code dnnl_nhwc} is easy to
 * get wrong), and struct layouts get C's alignment padding.
 *
 * <p>Usage: {@code java BindGen.java <include dir holding oneapi/dnnl/*.h> <output source root>}. It writes
 * {@code org/conv4j/onednn/bindings/Dnnl.java} (constants and struct layouts, no native code) and
 * {@code DnnlNative.java} (downcall handles, linked against the library loaded into the caller's class loader).
 * The output depends only on the headers, so a test can regenerate it and compare.
 */
public final class BindGen {
    static final String PACKAGE = "org.conv4j.onednn.bindings";

    /** Headers in dependency order; include guards are honoured by processing each once. */
    static final List<String> HEADERS = List.of("dnnl_config.h", "dnnl_version.h", "dnnl_common_types.h",
            "dnnl_types.h", "dnnl_common.h", "dnnl.h");

    /** Enums emitted whole. */
    static final List<String> ENUMS = List.of("dnnl_status_t", "dnnl_data_type_t", "dnnl_engine_kind_t",
            "dnnl_stream_flags_t", "dnnl_format_kind_t", "dnnl_prop_kind_t", "dnnl_primitive_kind_t",
            "dnnl_alg_kind_t", "dnnl_normalization_flags_t", "dnnl_scratchpad_mode_t", "dnnl_query_t",
            "dnnl_cpu_isa_t", "dnnl_fpmath_mode_t");

    /** Members of the thousand-member format tag enum that conv4j uses or tests. */
    static final List<String> FORMAT_TAGS = List.of("dnnl_format_tag_undef", "dnnl_format_tag_any", "dnnl_a",
            "dnnl_ab", "dnnl_abc", "dnnl_abcd", "dnnl_abcde", "dnnl_abcdef", "dnnl_ba", "dnnl_acdb", "dnnl_x", "dnnl_nc", "dnnl_ncw",
            "dnnl_nwc", "dnnl_nchw", "dnnl_nhwc", "dnnl_ncdhw", "dnnl_ndhwc", "dnnl_oi", "dnnl_io", "dnnl_oiw",
            "dnnl_wio", "dnnl_oihw", "dnnl_hwio", "dnnl_iohw", "dnnl_oidhw", "dnnl_dhwio", "dnnl_goihw",
            "dnnl_nChw8c", "dnnl_nChw16c");

    /** Object-like macros emitted (integer valued). */
    static final List<String> MACROS = List.of("DNNL_VERSION_MAJOR", "DNNL_VERSION_MINOR", "DNNL_VERSION_PATCH",
            "DNNL_MAX_NDIMS", "DNNL_RUNTIME_OMP", "DNNL_RUNTIME_SEQ", "DNNL_RUNTIME_TBB", "DNNL_RUNTIME_THREADPOOL",
            "DNNL_CPU_RUNTIME", "DNNL_ARG_SRC", "DNNL_ARG_SRC_0", "DNNL_ARG_SRC_1", "DNNL_ARG_DST",
            "DNNL_ARG_WEIGHTS", "DNNL_ARG_BIAS", "DNNL_ARG_MEAN", "DNNL_ARG_VARIANCE", "DNNL_ARG_SCALE",
            "DNNL_ARG_SHIFT", "DNNL_ARG_WORKSPACE", "DNNL_ARG_SCRATCHPAD", "DNNL_ARG_FROM", "DNNL_ARG_TO",
            "DNNL_ARG_MULTIPLE_SRC");

    /** Structs emitted as {@code StructLayout}s. */
    static final List<String> STRUCTS = List.of("dnnl_exec_arg_t", "dnnl_version_t");

    /** Functions emitted as downcall handles with typed wrappers. */
    static final List<String> FUNCTIONS = List.of("dnnl_version", "dnnl_get_effective_cpu_isa", "dnnl_set_verbose",
            "dnnl_engine_create", "dnnl_engine_destroy", "dnnl_stream_create", "dnnl_stream_wait",
            "dnnl_stream_destroy", "dnnl_memory_desc_create_with_tag", "dnnl_memory_desc_create_with_strides",
            "dnnl_memory_desc_clone", "dnnl_memory_desc_destroy", "dnnl_memory_desc_get_size",
            "dnnl_memory_desc_equal", "dnnl_memory_desc_query", "dnnl_memory_create", "dnnl_memory_destroy",
            "dnnl_memory_set_data_handle", "dnnl_memory_get_data_handle", "dnnl_primitive_attr_create",
            "dnnl_primitive_attr_destroy", "dnnl_primitive_attr_set_scratchpad_mode",
            "dnnl_primitive_attr_set_post_ops", "dnnl_post_ops_create", "dnnl_post_ops_destroy",
            "dnnl_post_ops_append_sum", "dnnl_post_ops_append_eltwise", "dnnl_primitive_desc_query",
            "dnnl_primitive_desc_query_md", "dnnl_primitive_desc_destroy", "dnnl_primitive_create",
            "dnnl_primitive_execute", "dnnl_primitive_destroy", "dnnl_reorder_primitive_desc_create",
            "dnnl_concat_primitive_desc_create", "dnnl_binary_primitive_desc_create",
            "dnnl_convolution_forward_primitive_desc_create", "dnnl_deconvolution_forward_primitive_desc_create",
            "dnnl_eltwise_forward_primitive_desc_create", "dnnl_softmax_forward_primitive_desc_create",
            "dnnl_pooling_forward_primitive_desc_create", "dnnl_lrn_forward_primitive_desc_create",
            "dnnl_batch_normalization_forward_primitive_desc_create",
            "dnnl_inner_product_forward_primitive_desc_create",
            "omp_set_num_threads", "omp_get_max_threads");

    /**
     * Prototypes outside the oneDNN headers: libgomp's, which libdnnl.so.3 links against (found through the
     * handle of the loaded libdnnl, since dlsym searches a library's dependencies).
     */
    static final String EXTRA_PROTOTYPES = "void omp_set_num_threads(int num_threads);\nint omp_get_max_threads(void);\n";

    /**
     * Short functions bound with {@code Linker.Option.critical(false)} (no thread-state transition): they only
     * store or read a field and never block, so the hot path pays less per call.
     */
    static final Set<String> CRITICAL = Set.of("dnnl_memory_set_data_handle", "dnnl_memory_desc_get_size",
            "dnnl_stream_wait");

    // ---- parsed state

    private final Map<String, Long> macros = new LinkedHashMap<>();
    private final Map<String, List<String[]>> enums = new LinkedHashMap<>(); // name -> {member, value}
    private final Map<String, Long> enumValues = new HashMap<>();
    private final Map<String, String> typedefs = new HashMap<>(); // name -> "enum" | "ptr" | "array" | base type
    private final Map<String, List<String[]>> structs = new LinkedHashMap<>(); // name -> {type, field}
    private final Map<String, Prototype> functions = new LinkedHashMap<>();

    record Param(String type, String name) {
    }

    record Prototype(String name, String returnType, List<Param> params) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: BindGen <include dir> <output source root>");
            System.exit(2);
        }
        Map<String, String> out = generate(Path.of(args[0]));
        for (Map.Entry<String, String> e : out.entrySet()) {
            Path p = Path.of(args[1]).resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
            System.out.println("wrote " + p);
        }
    }

    /** Parses the headers under {@code includeDir} and returns source files by relative path. */
    public static Map<String, String> generate(Path includeDir) throws IOException {
        BindGen g = new BindGen();
        Path dir = includeDir.resolve("oneapi").resolve("dnnl");
        for (String h : HEADERS) {
            g.parse(Files.readString(dir.resolve(h), StandardCharsets.UTF_8), h);
        }
        g.parse(EXTRA_PROTOTYPES, "libgomp");
        String base = PACKAGE.replace('.', '/') + "/";
        Map<String, String> files = new LinkedHashMap<>();
        files.put(base + "Dnnl.java", g.emitConstants());
        files.put(base + "DnnlNative.java", g.emitNative());
        return files;
    }

    // ---- preprocessing

    private static String stripComments(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != '"') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                sb.append(s, i, Math.min(j + 1, s.length()));
                i = j + 1;
            } else if (s.startsWith("//", i)) {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                for (int k = i; k < (end < 0 ? s.length() : end); k++) {
                    if (s.charAt(k) == '\n') {
                        sb.append('\n');
                    }
                }
                sb.append(' ');
                i = end < 0 ? s.length() : end + 2;
            } else {
                sb.append(c);
                i++;
            }
        }
        return sb.toString();
    }

    /** Runs the conditionals and collects macros; returns the active non-directive text. */
    private String preprocess(String text) {
        String[] lines = stripComments(text).replace("\\\r\n", " ").replace("\\\n", " ").split("\n", -1);
        StringBuilder active = new StringBuilder();
        Deque<boolean[]> stack = new ArrayDeque<>(); // {this branch active, some branch taken, parent active}
        boolean on = true;
        for (String raw : lines) {
            String line = raw.strip();
            if (!line.startsWith("#")) {
                if (on) {
                    active.append(raw).append('\n');
                }
                continue;
            }
            String d = line.substring(1).strip();
            String word = d.split("[\\s(]", 2)[0];
            String rest = d.substring(word.length()).strip();
            switch (word) {
                case "if", "ifdef", "ifndef" -> {
                    boolean cond = switch (word) {
                        case "ifdef" -> macros.containsKey(rest);
                        case "ifndef" -> !macros.containsKey(rest);
                        default -> on && evalCondition(rest) != 0;
                    };
                    stack.push(new boolean[] {on && cond, on && cond, on});
                    on = on && cond;
                }
                case "elif" -> {
                    boolean[] top = stack.peek();
                    boolean cond = top[2] && !top[1] && evalCondition(rest) != 0;
                    top[0] = cond;
                    top[1] |= cond;
                    on = cond;
                }
                case "else" -> {
                    boolean[] top = stack.peek();
                    top[0] = top[2] && !top[1];
                    top[1] = true;
                    on = top[0];
                }
                case "endif" -> {
                    stack.pop();
                    on = stack.isEmpty() || stack.peek()[0];
                }
                case "define" -> {
                    if (on) {
                        define(rest);
                    }
                }
                case "undef" -> {
                    if (on) {
                        macros.remove(rest);
                    }
                }
                default -> {
                    // #include (files are processed in order instead), #error in inactive branches, #pragma
                }
            }
        }
        return active.toString();
    }

    private void define(String rest) {
        int i = 0;
        while (i < rest.length() && (Character.isLetterOrDigit(rest.charAt(i)) || rest.charAt(i) == '_')) {
            i++;
        }
        String name = rest.substring(0, i);
        if (i < rest.length() && rest.charAt(i) == '(') {
            return; // function-like macro: not needed
        }
        String body = rest.substring(i).strip();
        Long v = null;
        if (body.isEmpty()) {
            v = 1L;
        } else {
            try {
                v = new Expr(tokenize(body), this::lookup, false).parse();
            } catch (RuntimeException e) {
                v = null; // not an integer constant (strings, casts, ...)
            }
        }
        macros.put(name, v);
    }

    private long evalCondition(String expr) {
        return new Expr(tokenize(expr), this::lookup, true).parse();
    }

    private Long lookup(String name) {
        if (enumValues.containsKey(name)) {
            return enumValues.get(name);
        }
        return macros.get(name);
    }

    // ---- tokens

    static List<String> tokenize(String s) {
        List<String> t = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                    j++;
                }
                t.add(s.substring(i, j));
                i = j;
            } else if (Character.isDigit(c)) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                    j++;
                }
                t.add(s.substring(i, j));
                i = j;
            } else if (c == '"') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != '"') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                t.add(s.substring(i, Math.min(j + 1, s.length())));
                i = j + 1;
            } else {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (List.of("<<", ">>", "&&", "||", "==", "!=", "<=", ">=", "::").contains(two)) {
                    t.add(two);
                    i += 2;
                } else {
                    t.add(String.valueOf(c));
                    i++;
                }
            }
        }
        return t;
    }

    /** Integer constant expressions of C (as far as the headers use them). */
    static final class Expr {
        private final List<String> t;
        private final java.util.function.Function<String, Long> env;
        private final boolean preprocessor;
        private int p;

        Expr(List<String> tokens, java.util.function.Function<String, Long> env, boolean preprocessor) {
            this.t = tokens;
            this.env = env;
            this.preprocessor = preprocessor;
        }

        long parse() {
            long v = binary(0);
            if (p != t.size()) {
                throw new IllegalArgumentException("unexpected token '" + t.get(p) + "' in " + t);
            }
            return v;
        }

        private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"), List.of("|"),
                List.of("^"), List.of("&"), List.of("==", "!="), List.of("<", ">", "<=", ">="), List.of("<<", ">>"),
                List.of("+", "-"), List.of("*", "/", "%"));

        private long binary(int level) {
            if (level == LEVELS.size()) {
                return unary();
            }
            long v = binary(level + 1);
            while (p < t.size() && LEVELS.get(level).contains(t.get(p))) {
                String op = t.get(p++);
                long r = binary(level + 1);
                v = switch (op) {
                    case "||" -> (v != 0 || r != 0) ? 1 : 0;
                    case "&&" -> (v != 0 && r != 0) ? 1 : 0;
                    case "|" -> v | r;
                    case "^" -> v ^ r;
                    case "&" -> v & r;
                    case "==" -> v == r ? 1 : 0;
                    case "!=" -> v != r ? 1 : 0;
                    case "<" -> v < r ? 1 : 0;
                    case ">" -> v > r ? 1 : 0;
                    case "<=" -> v <= r ? 1 : 0;
                    case ">=" -> v >= r ? 1 : 0;
                    case "<<" -> v << r;
                    case ">>" -> v >> r;
                    case "+" -> v + r;
                    case "-" -> v - r;
                    case "*" -> v * r;
                    case "/" -> v / r;
                    default -> v % r;
                };
            }
            return v;
        }

        private long unary() {
            String tok = t.get(p++);
            switch (tok) {
                case "-" -> {
                    return -unary();
                }
                case "+" -> {
                    return unary();
                }
                case "!" -> {
                    return unary() == 0 ? 1 : 0;
                }
                case "~" -> {
                    return ~unary();
                }
                case "(" -> {
                    long v = binary(0);
                    expect(")");
                    return v;
                }
                default -> {
                }
            }
            if (tok.equals("defined")) {
                boolean paren = t.get(p).equals("(");
                if (paren) {
                    p++;
                }
                String name = t.get(p++);
                if (paren) {
                    expect(")");
                }
                return env.apply(name) != null || definedWithoutValue(name) ? 1 : 0;
            }
            if (Character.isDigit(tok.charAt(0))) {
                String n = tok.toLowerCase(java.util.Locale.ROOT).replaceAll("[ul]+$", "");
                return n.startsWith("0x") ? Long.parseUnsignedLong(n.substring(2), 16)
                        : n.length() > 1 && n.startsWith("0") ? Long.parseLong(n.substring(1), 8) : Long.parseLong(n);
            }
            if (Character.isLetter(tok.charAt(0)) || tok.charAt(0) == '_') {
                Long v = env.apply(tok);
                if (v != null) {
                    return v;
                }
                if (preprocessor) {
                    return 0; // C: an unknown identifier in #if is 0
                }
                throw new IllegalArgumentException("unknown identifier " + tok);
            }
            throw new IllegalArgumentException("unexpected token '" + tok + "'");
        }

        private boolean definedWithoutValue(String name) {
            return false;
        }

        private void expect(String s) {
            if (p >= t.size() || !t.get(p).equals(s)) {
                throw new IllegalArgumentException("expected '" + s + "' in " + t);
            }
            p++;
        }
    }

    // ---- declarations

    private void parse(String header, String name) {
        List<String> t = tokenize(preprocess(header));
        t.removeIf(x -> x.equals("DNNL_API"));
        int i = 0;
        while (i < t.size()) {
            if (t.get(i).equals("typedef")) {
                i = typedef(t, i + 1);
            } else {
                i = declaration(t, i);
            }
        }
    }

    private static int skipStatement(List<String> t, int i) {
        int depth = 0;
        while (i < t.size()) {
            String x = t.get(i++);
            if (x.equals("{")) {
                depth++;
            } else if (x.equals("}")) {
                depth--;
            } else if (x.equals(";") && depth == 0) {
                return i;
            }
        }
        return i;
    }

    private int typedef(List<String> t, int i) {
        if (t.get(i).equals("enum") || t.get(i).equals("struct") && hasBody(t, i)) {
            boolean isEnum = t.get(i).equals("enum");
            int open = t.indexOf("{") < 0 ? -1 : indexFrom(t, "{", i);
            int close = matching(t, open);
            String typeName = t.get(close + 1);
            if (isEnum) {
                enumBody(typeName, t.subList(open + 1, close));
                typedefs.put(typeName, "enum");
            } else {
                structBody(typeName, t.subList(open + 1, close));
                typedefs.put(typeName, "struct");
            }
            return skipStatement(t, close + 1);
        }
        int end = skipStatement(t, i);
        List<String> decl = new ArrayList<>(t.subList(i, end - 1));
        decl.removeIf(x -> x.equals("const"));
        if (decl.contains("(")) {
            return end; // function pointer typedefs are not needed
        }
        int bracket = decl.indexOf("[");
        if (bracket > 0) {
            typedefs.put(decl.get(bracket - 1), "array");
        } else {
            String alias = decl.get(decl.size() - 1);
            typedefs.put(alias, decl.contains("*") ? "ptr" : String.join(" ", decl.subList(0, decl.size() - 1)));
        }
        return end;
    }

    private static boolean hasBody(List<String> t, int i) {
        for (int k = i; k < t.size(); k++) {
            if (t.get(k).equals("{")) {
                return true;
            }
            if (t.get(k).equals(";")) {
                return false;
            }
        }
        return false;
    }

    private static int indexFrom(List<String> t, String s, int from) {
        for (int k = from; k < t.size(); k++) {
            if (t.get(k).equals(s)) {
                return k;
            }
        }
        throw new IllegalStateException("missing " + s);
    }

    private static int matching(List<String> t, int open) {
        int depth = 0;
        for (int k = open; k < t.size(); k++) {
            if (t.get(k).equals("{")) {
                depth++;
            } else if (t.get(k).equals("}") && --depth == 0) {
                return k;
            }
        }
        throw new IllegalStateException("unbalanced braces");
    }

    private void enumBody(String typeName, List<String> body) {
        List<String[]> members = new ArrayList<>();
        long next = 0;
        int i = 0;
        while (i < body.size()) {
            String member = body.get(i++);
            long value;
            if (i < body.size() && body.get(i).equals("=")) {
                int j = ++i;
                int depth = 0;
                while (j < body.size() && !(body.get(j).equals(",") && depth == 0)) {
                    depth += body.get(j).equals("(") ? 1 : body.get(j).equals(")") ? -1 : 0;
                    j++;
                }
                value = new Expr(body.subList(i, j), this::lookup, false).parse();
                i = j;
            } else {
                value = next;
            }
            if (i < body.size() && body.get(i).equals(",")) {
                i++;
            }
            enumValues.put(member, value);
            members.add(new String[] {member, Long.toString(value)});
            next = value + 1;
        }
        enums.put(typeName, members);
    }

    private void structBody(String typeName, List<String> body) {
        List<String[]> fields = new ArrayList<>();
        int i = 0;
        while (i < body.size()) {
            int end = i;
            while (!body.get(end).equals(";")) {
                end++;
            }
            List<String> decl = new ArrayList<>(body.subList(i, end));
            decl.removeIf(x -> x.equals("const"));
            String field = decl.remove(decl.size() - 1);
            fields.add(new String[] {String.join(" ", decl), field});
            i = end + 1;
        }
        structs.put(typeName, fields);
    }

    private int declaration(List<String> t, int i) {
        int end = skipStatement(t, i);
        List<String> d = t.subList(i, end - 1);
        int paren = d.indexOf("(");
        if (paren < 1 || d.contains("{") || d.contains("=") || !d.get(d.size() - 1).equals(")")) {
            return end;
        }
        String name = d.get(paren - 1);
        String ret = String.join(" ", d.subList(0, paren - 1));
        List<Param> params = new ArrayList<>();
        List<String> inner = d.subList(paren + 1, d.size() - 1);
        if (!(inner.size() == 1 && inner.get(0).equals("void")) && !inner.isEmpty()) {
            List<String> cur = new ArrayList<>();
            for (String x : inner) {
                if (x.equals(",")) {
                    params.add(param(cur));
                    cur = new ArrayList<>();
                } else {
                    cur.add(x);
                }
            }
            params.add(param(cur));
        }
        functions.put(name, new Prototype(name, ret, params));
        return end;
    }

    private static Param param(List<String> tokens) {
        List<String> d = new ArrayList<>(tokens);
        String name = d.remove(d.size() - 1);
        return new Param(String.join(" ", d), name);
    }

    // ---- C types to FFM layouts

    /** The FFM layout name for a C type in a parameter or field, or "void". */
    private String layoutOf(String cType) {
        List<String> tokens = new ArrayList<>(List.of(cType.split(" ")));
        tokens.removeIf(x -> x.equals("const") || x.equals("struct") || x.equals("enum"));
        if (tokens.contains("*")) {
            return "ADDRESS";
        }
        String base = String.join(" ", tokens);
        String td = typedefs.get(base);
        if (td != null) {
            return switch (td) {
                case "enum" -> "JAVA_INT";
                case "ptr", "array" -> "ADDRESS";
                case "struct" -> throw new IllegalStateException("struct by value: " + base);
                default -> layoutOf(td);
            };
        }
        return switch (base) {
            case "void" -> "void";
            case "int", "unsigned", "unsigned int", "int32_t", "uint32_t" -> "JAVA_INT";
            case "int64_t", "uint64_t", "size_t", "long", "unsigned long" -> "JAVA_LONG";
            case "float" -> "JAVA_FLOAT";
            case "double" -> "JAVA_DOUBLE";
            case "char", "int8_t", "uint8_t" -> "JAVA_BYTE";
            default -> throw new IllegalStateException("unknown C type '" + cType + "'");
        };
    }

    private static String javaType(String layout) {
        return switch (layout) {
            case "ADDRESS" -> "MemorySegment";
            case "JAVA_INT" -> "int";
            case "JAVA_LONG" -> "long";
            case "JAVA_FLOAT" -> "float";
            case "JAVA_DOUBLE" -> "double";
            case "JAVA_BYTE" -> "byte";
            default -> "void";
        };
    }

    private static long sizeOf(String layout) {
        return switch (layout) {
            case "ADDRESS", "JAVA_LONG", "JAVA_DOUBLE" -> 8;
            case "JAVA_INT", "JAVA_FLOAT" -> 4;
            default -> 1;
        };
    }

    // ---- emit

    private static final String HEADER = """
            // Generated by tools/bindgen (org.conv4j.tools.bindgen.BindGen) from the oneDNN %d.%d.%d C headers of
            // org.bytedeco:dnnl:linux-x86_64. Do not edit: change the generator and regenerate; a test fails when this
            // file differs from what the generator makes.
            package %s;

            """;

    String emitConstants() {
        StringBuilder sb = new StringBuilder(String.format(HEADER, macros.get("DNNL_VERSION_MAJOR"),
                macros.get("DNNL_VERSION_MINOR"), macros.get("DNNL_VERSION_PATCH"), PACKAGE));
        sb.append("""
                import static java.lang.foreign.ValueLayout.ADDRESS;
                import static java.lang.foreign.ValueLayout.JAVA_INT;
                import static java.lang.foreign.ValueLayout.JAVA_LONG;

                import java.lang.foreign.MemoryLayout;
                import java.lang.foreign.StructLayout;

                /** oneDNN constants (enum members and macros) and struct layouts; touches no native code. */
                @SuppressWarnings("unused")
                public final class Dnnl {
                    private Dnnl() {
                    }

                """);
        sb.append("    // ---- macros\n");
        for (String m : MACROS) {
            Long v = macros.get(m);
            if (v == null) {
                throw new IllegalStateException("macro " + m + " not found or not an integer");
            }
            sb.append("    public static final int ").append(m).append(" = ").append(intLiteral(v)).append(";\n");
        }
        for (String e : ENUMS) {
            List<String[]> members = enums.get(e);
            if (members == null) {
                throw new IllegalStateException("enum " + e + " not found");
            }
            sb.append("\n    // ---- enum ").append(e).append('\n');
            for (String[] m : members) {
                sb.append("    public static final int ").append(m[0]).append(" = ")
                        .append(intLiteral(Long.parseLong(m[1]))).append(";\n");
            }
        }
        sb.append("\n    // ---- enum dnnl_format_tag_t (members conv4j uses; the enum has ")
                .append(enums.get("dnnl_format_tag_t").size()).append(")\n");
        for (String tag : FORMAT_TAGS) {
            Long v = enumValues.get(tag);
            if (v == null) {
                throw new IllegalStateException("format tag " + tag + " not found");
            }
            sb.append("    public static final int ").append(tag).append(" = ").append(intLiteral(v)).append(";\n");
        }
        for (String s : STRUCTS) {
            List<String[]> fields = structs.get(s);
            if (fields == null) {
                throw new IllegalStateException("struct " + s + " not found");
            }
            sb.append("\n    // ---- struct ").append(s).append('\n');
            StringBuilder members = new StringBuilder();
            StringBuilder offsets = new StringBuilder();
            long offset = 0;
            long maxAlign = 1;
            for (String[] f : fields) {
                String layout = layoutOf(f[0]);
                long size = sizeOf(layout);
                maxAlign = Math.max(maxAlign, size);
                if (offset % size != 0) {
                    long pad = size - offset % size;
                    members.append("            MemoryLayout.paddingLayout(").append(pad).append("),\n");
                    offset += pad;
                }
                members.append("            ").append(layout).append(".withName(\"").append(f[1]).append("\"),\n");
                offsets.append("    /** Offset of {@code ").append(s).append('.').append(f[1]).append("} ({@code ")
                        .append(f[0]).append("}). */\n");
                offsets.append("    public static final long ").append(s).append('$').append(f[1]).append(" = ")
                        .append(offset).append(";\n");
                offset += size;
            }
            if (offset % maxAlign != 0) {
                long pad = maxAlign - offset % maxAlign;
                members.append("            MemoryLayout.paddingLayout(").append(pad).append("),\n");
                offset += pad;
            }
            members.setLength(members.length() - 2);
            sb.append("    public static final StructLayout ").append(s).append(" = MemoryLayout.structLayout(\n")
                    .append(members).append(")\n            .withName(\"").append(s).append("\");\n");
            sb.append(offsets);
            sb.append("    /** {@code sizeof(").append(s).append(")}. */\n");
            sb.append("    public static final long ").append(s).append("$SIZE = ").append(offset).append(";\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String intLiteral(long v) {
        if (v > Integer.MAX_VALUE && v <= 0xffffffffL) {
            return "(int) 0x" + Long.toHexString(v) + "L";
        }
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalStateException("value out of int range: " + v);
        }
        return Long.toString(v);
    }

    String emitNative() {
        StringBuilder sb = new StringBuilder(String.format(HEADER, macros.get("DNNL_VERSION_MAJOR"),
                macros.get("DNNL_VERSION_MINOR"), macros.get("DNNL_VERSION_PATCH"), PACKAGE));
        sb.append("""
                import static java.lang.foreign.ValueLayout.ADDRESS;
                import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
                import static java.lang.foreign.ValueLayout.JAVA_INT;
                import static java.lang.foreign.ValueLayout.JAVA_LONG;

                import java.lang.foreign.FunctionDescriptor;
                import java.lang.foreign.Linker;
                import java.lang.foreign.MemorySegment;
                import java.lang.foreign.SymbolLookup;
                import java.lang.invoke.MethodHandle;

                /**
                 * Downcalls into libdnnl (and the libgomp it links). Initialising this class links every function,
                 * so the library must already be loaded (with {@link System#load}) by a class of this class loader:
                 * symbols come from {@link SymbolLookup#loaderLookup()}. A missing symbol fails class initialisation.
                 */
                @SuppressWarnings("unused")
                public final class DnnlNative {
                    private DnnlNative() {
                    }

                    private static final Linker LINKER = Linker.nativeLinker();
                    private static final SymbolLookup LOOKUP = SymbolLookup.loaderLookup();

                    private static MethodHandle link(String name, FunctionDescriptor fd, boolean critical) {
                        MemorySegment symbol = LOOKUP.find(name).orElseThrow(() -> new UnsatisfiedLinkError(
                                "symbol " + name + " not found in the loaded oneDNN library"));
                        return critical ? LINKER.downcallHandle(symbol, fd, Linker.Option.critical(false))
                                : LINKER.downcallHandle(symbol, fd);
                    }

                    private static RuntimeException rethrow(Throwable t) {
                        if (t instanceof RuntimeException r) {
                            return r;
                        }
                        if (t instanceof Error e) {
                            throw e;
                        }
                        return new IllegalStateException(t);
                    }
                """);
        for (String f : FUNCTIONS) {
            Prototype p = functions.get(f);
            if (p == null) {
                throw new IllegalStateException("function " + f + " not found in the headers");
            }
            String ret = layoutOf(p.returnType());
            List<String> layouts = new ArrayList<>();
            for (Param q : p.params()) {
                layouts.add(layoutOf(q.type()));
            }
            String fd = ret.equals("void") ? "FunctionDescriptor.ofVoid(" + String.join(", ", layouts) + ")"
                    : "FunctionDescriptor.of(" + ret + (layouts.isEmpty() ? "" : ", ") + String.join(", ", layouts) + ")";
            emitFunction(sb, p, f, fd, layouts, ret, CRITICAL.contains(f));
        }
        sb.append("}\n");
        return sb.toString();
    }

    private void emitFunction(StringBuilder sb, Prototype p, String f, String fd, List<String> layouts, String ret,
            boolean critical) {
        {
            String mh = f + "$MH";
            sb.append("\n    private static final MethodHandle ").append(mh).append(" = link(\"").append(f)
                    .append("\",\n            ").append(fd).append(", ").append(critical).append(");\n\n");
            sb.append("    /** {@code ").append(p.returnType()).append(' ').append(f).append('(');
            for (int k = 0; k < p.params().size(); k++) {
                sb.append(k == 0 ? "" : ", ").append(p.params().get(k).type()).append(' ')
                        .append(p.params().get(k).name());
            }
            sb.append(")}").append(critical ? " (a critical downcall: no thread-state transition)" : "")
                    .append(". */\n");
            sb.append("    public static ").append(javaType(ret)).append(' ').append(f).append('(');
            StringBuilder args = new StringBuilder();
            for (int k = 0; k < p.params().size(); k++) {
                String name = p.params().get(k).name();
                sb.append(k == 0 ? "" : ", ").append(javaType(layouts.get(k))).append(' ').append(name);
                args.append(k == 0 ? "" : ", ").append(name);
            }
            sb.append(") {\n        try {\n            ");
            if (!ret.equals("void")) {
                sb.append("return (").append(javaType(ret)).append(") ");
            }
            sb.append(mh).append(".invokeExact(").append(args).append(");\n");
            sb.append("        } catch (Throwable t) {\n            throw rethrow(t);\n        }\n    }\n");
        }
    }
}
