package dev.tollgate.dashboard;

import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;
import freemarker.template.TemplateExceptionHandler;
import java.io.IOException;
import java.io.StringWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;

/**
 * The dashboard's FreeMarker templates ({@code dashboard/templates/*.ftlh}). The {@code .ftlh}
 * extension turns on HTML auto-escaping, so every value a caller could influence (a model name,
 * a key label, an error text) is escaped where it is printed, with no exception to remember.
 */
public final class Pages {
    private final Configuration freemarker;

    public Pages() {
        freemarker = new Configuration(Configuration.VERSION_2_3_34);
        freemarker.setClassForTemplateLoading(Pages.class, "/dashboard/templates");
        freemarker.setDefaultEncoding("UTF-8");
        freemarker.setOutputEncoding("UTF-8");
        freemarker.setURLEscapingCharset("UTF-8");
        freemarker.setLocale(Locale.US);
        freemarker.setTimeZone(TimeZone.getTimeZone("UTC"));
        freemarker.setNumberFormat("computer"); // raw in attributes; templates format what people read
        freemarker.setTemplateExceptionHandler(TemplateExceptionHandler.RETHROW_HANDLER);
        freemarker.setLogTemplateExceptions(false);
        freemarker.setWrapUncheckedExceptions(true);
        freemarker.setFallbackOnNullLoopVariable(false);
    }

    /** Renders {@code name}.ftlh with the model. */
    public String render(String name, Map<String, Object> model) {
        try {
            Template t = freemarker.getTemplate(name + ".ftlh");
            StringWriter out = new StringWriter();
            t.process(model, out);
            return out.toString();
        } catch (IOException | TemplateException e) {
            throw new IllegalStateException("dashboard page " + name + " failed: " + e.getMessage(), e);
        }
    }
}
