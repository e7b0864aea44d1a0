extension FailoverConnector: DiagnosableConnector {
    /// Probes every member in order, whether or not it is cooling down, and sends nothing. A member
    /// whose connector offers no diagnosis gets one skipped step that says so.
    public func diagnose() async -> ConnectorDiagnosis {
        var diagnoses: [ConnectorDiagnosis.Member] = []
        for (index, member) in members.enumerated() {
            let diagnosis: ConnectorDiagnosis
            if let diagnosable = member.connector as? any DiagnosableConnector {
                diagnosis = await diagnosable.diagnose()
            } else {
                diagnosis = ConnectorDiagnosis(steps: [.init(name: "diagnose", status: .skip, milliseconds: 0,
                                                              detail: "the \(member.connector.metadata.id) connector offers no diagnosis")])
            }
            diagnoses.append(.init(index: index, name: member.name, diagnosis: diagnosis))
        }
        return ConnectorDiagnosis(steps: [], members: diagnoses)
    }
}
