package io.farmvet.cli;

import picocli.CommandLine.IVersionProvider;

/** farmvet's version from the jar manifest ({@code Implementation-Version}, written by the shade plugin). */
final class ManifestVersion implements IVersionProvider {
    static String version() {
        String version = ManifestVersion.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"farmvet " + version()};
    }
}
