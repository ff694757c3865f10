package dev.tollgate.translate;

import dev.tollgate.usage.StreamObserver;
import dev.tollgate.usage.TokenUsage;
import dev.tollgate.usage.UsageQuality;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stream in the upstream's format, rewritten event by event into the client's: the upstream's
 * decoder reads events and usage, the client's encoder writes them, and the stream's proper end
 * becomes the client format's end, with the usage of the whole answer.
 */
public final class TranslatedStream implements StreamObserver {
    private final ChatCodec.StreamDecoder decoder;
    private final ChatCodec.StreamEncoder encoder;
    private final Consumer<List<Chat.Event>> listener;
    private boolean finished;
    private boolean errorSent;

    public TranslatedStream(ChatCodec.StreamDecoder decoder, ChatCodec.StreamEncoder encoder) {
        this(decoder, encoder, events -> { });
    }

    /** @param listener sees every event decoded, before it is encoded (the reasoning memory) */
    public TranslatedStream(ChatCodec.StreamDecoder decoder, ChatCodec.StreamEncoder encoder,
                            Consumer<List<Chat.Event>> listener) {
        this.decoder = decoder;
        this.encoder = encoder;
        this.listener = listener;
    }

    @Override
    public byte[] onEvent(byte[] raw, String data) {
        if (data == null) {
            return null; // upstream comments mean nothing to the client's format
        }
        List<Chat.Event> events = decoder.decode(data);
        listener.accept(events);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] encoded = encoder.encode(events);
        if (encoded != null) {
            out.writeBytes(encoded);
        }
        if (decoder.error() != null && !errorSent) {
            errorSent = true;
            out.writeBytes(encoder.error(decoder.error(), false));
        }
        if (decoder.done() && !finished && decoder.error() == null) {
            finished = true;
            out.writeBytes(encoder.finish(decoder.usage()));
        }
        return out.size() == 0 ? null : out.toByteArray();
    }

    @Override
    public boolean done() {
        return decoder.done();
    }

    @Override
    public Optional<String> responseId() {
        return Optional.ofNullable(decoder.id());
    }

    @Override
    public List<String> finishReasons() {
        return decoder.finishReasons();
    }

    @Override
    public Optional<String> error() {
        return Optional.ofNullable(decoder.error());
    }

    @Override
    public TokenUsage usage() {
        return decoder.usage();
    }

    @Override
    public UsageQuality quality() {
        if (decoder.usageReported()) {
            return UsageQuality.REPORTED;
        }
        return decoder.done() ? UsageQuality.ESTIMATED : UsageQuality.PARTIAL;
    }

    @Override
    public byte[] errorEvent(String message, boolean timeout) {
        return encoder.error(message, timeout);
    }
}
