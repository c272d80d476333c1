package io.sightline.bench;

/**
 * The tracking plan the plan-cost benchmark checks against: 50 planned events of 10
 * properties each (types, an enum, bounds, a pattern, lengths, required ones, no others
 * allowed), one of which is the load generator's {@code Bench Event}, so every event is
 * checked in full and conforms.
 */
final class BenchPlan {

    static final int EVENTS = 50;

    private BenchPlan() {}

    static String document() {
        StringBuilder events = new StringBuilder();
        for (int e = 0; e < EVENTS; e++) {
            String name = e == 0 ? "Bench Event" : "Planned Event " + e;
            events.append(e == 0 ? "" : ",")
                    .append('"')
                    .append(name)
                    .append("\": {\"description\": \"benchmark event ")
                    .append(e)
                    .append(
                            "\", \"owner\": \"bench\", \"properties\": {\"type\": \"object\", \"required\": [\"plan\", \"i\"],")
                    .append(" \"additionalProperties\": false, \"properties\": {")
                    .append("\"plan\": {\"enum\": [\"free\", \"pro\", \"team\"]},")
                    .append("\"i\": {\"type\": \"integer\", \"minimum\": 0},")
                    .append("\"pad\": {\"type\": \"string\", \"maxLength\": 100000},")
                    .append("\"sku\": {\"type\": \"string\", \"pattern\": \"^[A-Z0-9-]+$\"},")
                    .append("\"price\": {\"type\": \"number\", \"minimum\": 0},")
                    .append("\"currency\": {\"enum\": [\"USD\", \"EUR\", \"GBP\"]},")
                    .append("\"quantity\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000},")
                    .append("\"coupon\": {\"type\": [\"string\", \"null\"], \"maxLength\": 20},")
                    .append("\"gift\": {\"type\": \"boolean\"},")
                    .append("\"tags\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"maxItems\": 10}}}}");
        }
        return "{\"events\": {" + events + "}}";
    }
}
