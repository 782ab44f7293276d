package io.farmvet.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one YAML file into one validated, immutable {@link FarmvetConfig}; {@code deploy/farmvet.example.yaml}
 * shows every key.
 *
 * <p>The contract: either a config that is ready to run (every URL normalized, every secret read, every
 * default applied from the named constants in {@link FarmvetConfig} and {@code ListingLimits}), or a {@link
 * ConfigException} listing every problem found, each led by its key path ({@code nodes[1].auth.basic.password-file:
 * ...}). Unknown keys, duplicate keys, wrong types, a syntax error or an empty file are all problems. Relative
 * file paths are resolved against the config file's folder. Secret values never appear in a message or a log
 * line. Things that work but are risky (credentials over plain http to another host, a secret file readable by
 * others) are logged as warnings.
 *
 * <p>The YAML is read as a tree and walked by {@link ConfigBinder} rather than bound to classes, because
 * binding stops at the first problem and the operator should see them all at once.
 *
 * <p>Thread-safe: stateless, and the shared {@link ObjectMapper} is only read.
 */
public final class ConfigLoader {
    /** A farm config is a few KB; refuse to parse something that is clearly not one. */
    public static final int MAX_CONFIG_FILE_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    // "http:" with every line below it commented out is an empty section, not the string "".
                    .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    /** How much {@link #load(Path, Check)} checks. */
    public enum Check {
        /** Everything, reading every file the config names: a config ready to run. */
        FULL,
        /**
         * Types, keys and values only; the files the config names (secrets, the CA file) are neither read nor
         * required to exist, so that a template can be checked before its secrets are in place. The config
         * returned holds empty secrets and must not be run.
         */
        SYNTAX_ONLY
    }

    private ConfigLoader() {}

    /** Loads and validates {@code file}; the config's {@code source} is its absolute path. */
    public static FarmvetConfig load(Path file) throws ConfigException {
        return load(file, Check.FULL);
    }

    /** Loads and validates {@code file} as far as {@code check} says. */
    public static FarmvetConfig load(Path file, Check check) throws ConfigException {
        Path source = file.toAbsolutePath().normalize();
        byte[] bytes;
        try {
            if (Files.isDirectory(source)) {
                throw problem(source, "is a folder; pass the path of a farmvet YAML file");
            }
            try (InputStream in = Files.newInputStream(source)) {
                bytes = in.readNBytes(MAX_CONFIG_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw problem(source, "does not exist; pass the path of a farmvet YAML file (see farmvet.example.yaml)");
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot be read: " + e), e);
        }
        if (bytes.length > MAX_CONFIG_FILE_BYTES) {
            throw problem(source, "is larger than " + MAX_CONFIG_FILE_BYTES + " bytes; is it really a farmvet config?");
        }
        String yaml;
        try {
            yaml = ConfigFiles.utf8(bytes);
        } catch (CharacterCodingException e) {
            throw problem(source, "is not UTF-8 text; save it as UTF-8");
        }
        return parse(yaml, source, check);
    }

    /**
     * A server URL given outside a config file ({@code farmvet discover --primary}, a mirror's {@code baseUrl}),
     * by the rules and normalization of {@code primary.url}; the text is never echoed (it may carry credentials).
     *
     * @param where what names the URL, for the message ({@code --primary})
     * @throws IllegalArgumentException naming {@code where} and the problem
     */
    public static URI serverUrl(String text, String where) {
        try {
            return ConfigValues.serverUrl(text);
        } catch (ConfigValues.BadValue e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code url} is plain http to another host, where credentials would cross the network in clear. */
    public static boolean isClearTextToAnotherHost(URI url) {
        return url.getScheme().equals("http") && !ConfigValues.isLoopbackHost(url.getHost());
    }

    /**
     * Validates YAML text as if it had been read from {@code source}: relative paths in it are resolved
     * against {@code source}'s folder, and {@code source} names the config in messages and in {@link
     * FarmvetConfig#source()}.
     */
    public static FarmvetConfig parse(String yaml, Path source) throws ConfigException {
        return parse(yaml, source, Check.FULL);
    }

    private static FarmvetConfig parse(String yaml, Path source, Check check) throws ConfigException {
        Path absolute = source.toAbsolutePath().normalize();
        JsonNode root;
        try (JsonParser parser = new AliasRejectingParser(MAPPER.createParser(yaml))) {
            root = MAPPER.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw problem(absolute, "holds more than one YAML document (---); keep only the farmvet config");
            }
        } catch (MarkedYAMLException e) {
            throw new ConfigException(absolute, List.of(syntaxError(e)), e);
        } catch (StreamReadException e) {
            throw new ConfigException(absolute, List.of(readError(e)), e);
        } catch (IOException e) {
            // Reading from a String: only a parser failure Jackson does not type can land here.
            throw new ConfigException(absolute, List.of("cannot be parsed as YAML: " + e.getMessage()), e);
        } catch (RuntimeException e) {
            // SnakeYAML reports some failures (a wrapped MarkedYAMLException among them) unchecked.
            if (e.getCause() instanceof MarkedYAMLException marked) {
                throw new ConfigException(absolute, List.of(syntaxError(marked)), e);
            }
            throw new ConfigException(absolute, List.of("cannot be parsed as YAML: " + e.getMessage()), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw problem(absolute, "is empty; see farmvet.example.yaml for every key");
        }
        return new ConfigBinder(absolute, check).bind(root);
    }

    private static ConfigException problem(Path source, String text) {
        return new ConfigException(source, List.of(text));
    }

    /** {@code line 3, column 7: YAML syntax error: <problem> (<context> at line 2, column 9)}, 1-based. */
    private static String syntaxError(MarkedYAMLException e) {
        StringBuilder sb = new StringBuilder();
        Mark problemMark = e.getProblemMark();
        if (problemMark != null) {
            sb.append(position(problemMark)).append(": ");
        }
        sb.append("YAML syntax error: ").append(e.getProblem());
        if (e.getContext() != null) {
            sb.append(" (").append(e.getContext());
            if (e.getContextMark() != null) {
                sb.append(" at ").append(position(e.getContextMark()));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static String position(Mark mark) {
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    }

    /** A parser-level error other than syntax, the duplicate key above all, led by the key path it happened at. */
    private static String readError(StreamReadException e) {
        if (e.getCause() instanceof MarkedYAMLException marked) {
            return syntaxError(marked);
        }
        String path = e.getProcessor() == null ? "" : path(e.getProcessor().getParsingContext());
        String where = e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
        String text = e.getOriginalMessage();
        if (text != null && text.startsWith("Duplicate field ")) {
            text = "duplicate key" + where + "; keep only one";
        } else {
            text = text + where;
        }
        return path.isEmpty() ? text : path + ": " + text;
    }

    /** The key path of a parser position, in the form messages use: {@code nodes[1].url}. */
    private static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push("." + c.getCurrentName());
            }
        }
        String joined = String.join("", parts);
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    /**
     * Jackson reads a YAML alias ({@code *name}) as the plain string {@code name}, which would turn {@code
     * auth: *common} into a baffling type error or, worse, a wrong value; refuse aliases outright instead.
     */
    private static final class AliasRejectingParser extends JsonParserDelegate {
        AliasRejectingParser(JsonParser yaml) {
            super(yaml);
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken token = super.nextToken();
            if (delegate() instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
                throw new JsonParseException(
                        this, "YAML aliases (*" + yaml.getText() + ") are not supported; write the value out");
            }
            return token;
        }
    }
}
