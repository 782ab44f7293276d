package io.farmvet.report;

import com.fasterxml.jackson.core.JsonGenerator;
import io.farmvet.vet.FarmMembership;
import java.io.IOException;

/** The report's farm-member fields, written into the report's top-level object by {@link JsonReport}. */
final class FarmMembershipJson {
    private FarmMembershipJson() {}

    static void write(JsonGenerator json, FarmMembership members) throws IOException {
        if (members.checked()) {
            json.writeArrayFieldStart("unvettedMembers");
            for (FarmMembership.UnvettedMember member : members.unvettedMembers()) {
                json.writeStartObject();
                json.writeStringField("name", member.name());
                json.writeStringField("address", member.address());
                json.writeArrayFieldStart("listedBy");
                for (String node : member.listedBy()) {
                    json.writeString(node);
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("unlistedNodes");
            for (String node : members.unlistedNodes()) {
                json.writeString(node);
            }
            json.writeEndArray();
        } else {
            json.writeNullField("unvettedMembers");
            json.writeNullField("unlistedNodes");
        }
        json.writeArrayFieldStart("memberNotes");
        for (String note : members.notes()) {
            json.writeString(note);
        }
        json.writeEndArray();
    }
}
